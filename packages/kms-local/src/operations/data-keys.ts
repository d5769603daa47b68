import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Operation, OperationContext } from '../context.ts';
import { toBase64AndZero } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import { arnOf, findKey } from '../resolve.ts';
import { encryptWithKey } from '../symmetric.ts';
import { EncryptionContextSchema, GrantTokensSchema, KeyIdSchema, parseInput } from '../validation.ts';

const GenerateDataKeySchema = z.object({
  KeyId: KeyIdSchema,
  KeySpec: z.enum(['AES_256', 'AES_128']).optional(),
  NumberOfBytes: z.number().int().min(1).max(1024).optional(),
  EncryptionContext: EncryptionContextSchema,
  GrantTokens: GrantTokensSchema,
});

const SPEC_BYTES = { AES_256: 32, AES_128: 16 } as const;

async function newDataKey(body: unknown, ctx: OperationContext, operation: string) {
  const input = parseInput(GenerateDataKeySchema, body);
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw new KmsApiError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  const key = findKey(ctx, input.KeyId);
  const plaintext = randomBytes(input.KeySpec ? SPEC_BYTES[input.KeySpec] : (input.NumberOfBytes ?? 0));
  try {
    const blob = await encryptWithKey(ctx, key, plaintext, input.EncryptionContext, operation);
    return { key, plaintext, blob };
  } catch (error) {
    plaintext.fill(0);
    throw error;
  }
}

/**
 * GenerateDataKey: a random data key (KeySpec AES_256/AES_128, or NumberOfBytes 1..1024), in
 * clear and encrypted under the KMS key. `KeyId` in the response is the key ARN, which the AWS
 * Encryption SDK requires.
 */
export const generateDataKey: Operation = async (body, ctx) => {
  const { key, plaintext, blob } = await newDataKey(body, ctx, 'GenerateDataKey');
  return {
    CiphertextBlob: blob.toString('base64'),
    Plaintext: toBase64AndZero(plaintext),
    KeyId: arnOf(ctx, key),
  };
};

/** GenerateDataKeyWithoutPlaintext: as GenerateDataKey, but only the encrypted copy is returned. */
export const generateDataKeyWithoutPlaintext: Operation = async (body, ctx) => {
  const { key, plaintext, blob } = await newDataKey(body, ctx, 'GenerateDataKeyWithoutPlaintext');
  plaintext.fill(0);
  return { CiphertextBlob: blob.toString('base64'), KeyId: arnOf(ctx, key) };
};
