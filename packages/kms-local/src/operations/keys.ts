import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { keyArn } from '../arn.ts';
import type { Operation } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import { KEY_SPECS, type KeyRecord, KeySpecSchema, KeyUsageSchema } from '../key-record.ts';
import { toKeyMetadata } from '../metadata.ts';
import { paginate } from '../page.ts';
import { findKey } from '../resolve.ts';
import { KeyIdSchema, PageSchema, parseInput } from '../validation.ts';

const CreateKeySchema = z.object({
  Description: z.string().max(8192).optional(),
  KeyUsage: z.string().optional(),
  KeySpec: z.string().optional(),
  CustomerMasterKeySpec: z.string().optional(),
  Origin: z.string().optional(),
  MultiRegion: z.boolean().optional(),
  CustomKeyStoreId: z.string().optional(),
  Policy: z.string().max(32768).optional(),
  Tags: z
    .array(z.object({ TagKey: z.string().min(1).max(128), TagValue: z.string().max(256) }))
    .max(50)
    .optional(),
});

/**
 * CreateKey: symmetric (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) and HMAC (HMAC_224..512,
 * GENERATE_VERIFY_MAC) keys with AWS_KMS origin. Multi-Region keys are refused: a residency
 * tool needs keys that exist in one region only. A key policy is accepted and ignored.
 */
export const createKey: Operation = async (body, ctx) => {
  const input = parseInput(CreateKeySchema, body);
  if (input.MultiRegion) {
    throw new KmsApiError(
      'UnsupportedOperationException',
      'Multi-Region keys are not supported: kms-local serves single-region keys only (data residency)',
    );
  }
  if (input.Origin !== undefined && input.Origin !== 'AWS_KMS') {
    throw new KmsApiError(
      'UnsupportedOperationException',
      `Origin ${input.Origin} is not supported; use AWS_KMS`,
    );
  }
  if (input.CustomKeyStoreId)
    throw new KmsApiError('UnsupportedOperationException', 'Custom key stores are not supported');
  const spec = KeySpecSchema.safeParse(input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT');
  if (!spec.success) {
    throw new KmsApiError(
      'UnsupportedOperationException',
      `KeySpec ${input.KeySpec ?? input.CustomerMasterKeySpec} is not supported; use one of ${KeySpecSchema.options.join(', ')}`,
    );
  }
  const usage = KeyUsageSchema.safeParse(input.KeyUsage ?? 'ENCRYPT_DECRYPT');
  if (!usage.success || KEY_SPECS[spec.data].usage !== usage.data) {
    throw new KmsApiError(
      'ValidationException',
      `KeyUsage ${input.KeyUsage ?? 'ENCRYPT_DECRYPT'} is not compatible with KeySpec ${spec.data}`,
    );
  }
  const keyId = randomUUID();
  const key: KeyRecord = {
    keyId,
    description: input.Description ?? '',
    keyUsage: usage.data,
    keySpec: spec.data,
    keyState: 'Enabled',
    createdAtMillis: ctx.clock().getTime(),
    rotationEnabled: false,
    tags: input.Tags ?? [],
    materials: [ctx.store.newMaterial(keyId, spec.data, 1, 'INITIAL')],
  };
  ctx.store.keys.set(keyId, key);
  await ctx.store.save();
  return { KeyMetadata: toKeyMetadata(ctx, key) };
};

const KeyOnlySchema = z.object({ KeyId: KeyIdSchema });

/** DescribeKey: by key id, key ARN, alias name or alias ARN. */
export const describeKey: Operation = async (body, ctx) => {
  const input = parseInput(KeyOnlySchema, body);
  return { KeyMetadata: toKeyMetadata(ctx, findKey(ctx, input.KeyId)) };
};

/** ListKeys: every key of this endpoint, in creation order, paginated with Limit/Marker. */
export const listKeys: Operation = async (body, ctx) => {
  const input = parseInput(z.object(PageSchema), body ?? {});
  const keys = [...ctx.store.keys.values()].sort((a, b) => a.createdAtMillis - b.createdAtMillis);
  const { page, ...rest } = paginate(keys, input.Limit, input.Marker);
  return {
    Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: keyArn(ctx.region, ctx.accountId, key.keyId) })),
    ...rest,
  };
};
