import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Operation, OperationContext } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import { KEY_SPECS } from '../key-record.ts';
import { arnOf, findKey, requireUsable } from '../resolve.ts';
import { blobSchema, GrantTokensSchema, KeyIdSchema, parseInput } from '../validation.ts';

const MacAlgorithmSchema = z.enum(['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512']);
const HASHES = {
  HMAC_SHA_224: 'sha224',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
};

const GenerateMacSchema = z.object({
  KeyId: KeyIdSchema,
  Message: blobSchema(1, 4096),
  MacAlgorithm: MacAlgorithmSchema,
  GrantTokens: GrantTokensSchema,
});

function computeMac(ctx: OperationContext, input: z.infer<typeof GenerateMacSchema>, operation: string) {
  const key = findKey(ctx, input.KeyId);
  requireUsable(ctx, key, 'GENERATE_VERIFY_MAC', operation);
  if (KEY_SPECS[key.keySpec].macAlgorithm !== input.MacAlgorithm) {
    throw new KmsApiError(
      'InvalidKeyUsageException',
      `${arnOf(ctx, key)} key spec ${key.keySpec} does not support MAC algorithm ${input.MacAlgorithm}`,
    );
  }
  const mac = ctx.store.withMaterial(key, undefined, (material) =>
    createHmac(HASHES[input.MacAlgorithm], material).update(input.Message).digest(),
  );
  return { key, mac };
}

/** GenerateMac: an HMAC of a message (1..4096 bytes) under an HMAC key. */
export const generateMac: Operation = async (body, ctx) => {
  const input = parseInput(GenerateMacSchema, body);
  const { key, mac } = computeMac(ctx, input, 'GenerateMac');
  return { Mac: mac.toString('base64'), MacAlgorithm: input.MacAlgorithm, KeyId: arnOf(ctx, key) };
};

const VerifyMacSchema = GenerateMacSchema.extend({ Mac: blobSchema(1, 6144) });

/**
 * VerifyMac: recomputes the HMAC and compares in constant time. A mismatch is
 * KMSInvalidMacException, as in AWS (never `MacValid: false`).
 */
export const verifyMac: Operation = async (body, ctx) => {
  const input = parseInput(VerifyMacSchema, body);
  const { key, mac } = computeMac(ctx, input, 'VerifyMac');
  const valid = mac.length === input.Mac.length && timingSafeEqual(mac, input.Mac);
  if (!valid)
    throw new KmsApiError('KMSInvalidMacException', 'The MAC does not verify for this message and key');
  return { KeyId: arnOf(ctx, key), MacValid: true, MacAlgorithm: input.MacAlgorithm };
};
