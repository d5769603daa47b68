import { z } from 'zod';

/** Key specs this endpoint creates: the symmetric default and the HMAC family. */
export const KeySpecSchema = z.enum(['SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']);
/** A KMS key spec, e.g. `SYMMETRIC_DEFAULT` or `HMAC_256`. */
export type KeySpec = z.infer<typeof KeySpecSchema>;

/** What a key is for; KMS refuses to use a key for the other purpose. */
export const KeyUsageSchema = z.enum(['ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC']);
/** A KMS key usage. */
export type KeyUsage = z.infer<typeof KeyUsageSchema>;

/** The key states this endpoint models (no imports, no custom key stores). */
export const KeyStateSchema = z.enum(['Enabled', 'Disabled', 'PendingDeletion']);
/** A KMS key state. */
export type KeyState = z.infer<typeof KeyStateSchema>;

/** One version of a key's material, wrapped under the local master key (never stored in clear). */
export const KeyMaterialRecordSchema = z.object({
  version: z.number().int().min(1),
  createdAtMillis: z.number(),
  rotationType: z.enum(['INITIAL', 'ON_DEMAND', 'AUTOMATIC']),
  /** base64 of IV (12) | ciphertext | tag (16), AES-256-GCM under the master key. */
  wrapped: z.string().min(1),
});
/** A persisted key material version. */
export type KeyMaterialRecord = z.infer<typeof KeyMaterialRecordSchema>;

/** A key's metadata and every material version it has had (rotation keeps old ones). */
export const KeyRecordSchema = z.object({
  keyId: z.uuid(),
  description: z.string(),
  keyUsage: KeyUsageSchema,
  keySpec: KeySpecSchema,
  keyState: KeyStateSchema,
  createdAtMillis: z.number(),
  deletionDateMillis: z.number().optional(),
  pendingWindowInDays: z.number().int().optional(),
  rotationEnabled: z.boolean(),
  rotationPeriodInDays: z.number().int().optional(),
  nextRotationMillis: z.number().optional(),
  tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })),
  materials: z.array(KeyMaterialRecordSchema).min(1),
});
/** A persisted key. */
export type KeyRecord = z.infer<typeof KeyRecordSchema>;

/** An alias and the key it points at. */
export const AliasRecordSchema = z.object({
  aliasName: z.string().startsWith('alias/'),
  targetKeyId: z.uuid(),
  createdAtMillis: z.number(),
  updatedAtMillis: z.number(),
});
/** A persisted alias. */
export type AliasRecord = z.infer<typeof AliasRecordSchema>;

/**
 * The shape of dataDir/kms/keys.json. The file is read back at start, so it is parsed like any
 * other input. It names its region and account: a data directory made for one region is never
 * served as another.
 */
export const KeystoreFileSchema = z.object({
  formatVersion: z.literal(1),
  region: z.string(),
  accountId: z.string(),
  keys: z.array(KeyRecordSchema),
  aliases: z.array(AliasRecordSchema),
});
/** The parsed contents of keys.json. */
export type KeystoreFile = z.infer<typeof KeystoreFileSchema>;

/** Material length in bytes and MAC algorithm for each key spec. */
export const KEY_SPECS: Record<KeySpec, { materialBytes: number; usage: KeyUsage; macAlgorithm?: string }> = {
  SYMMETRIC_DEFAULT: { materialBytes: 32, usage: 'ENCRYPT_DECRYPT' },
  HMAC_224: { materialBytes: 28, usage: 'GENERATE_VERIFY_MAC', macAlgorithm: 'HMAC_SHA_224' },
  HMAC_256: { materialBytes: 32, usage: 'GENERATE_VERIFY_MAC', macAlgorithm: 'HMAC_SHA_256' },
  HMAC_384: { materialBytes: 48, usage: 'GENERATE_VERIFY_MAC', macAlgorithm: 'HMAC_SHA_384' },
  HMAC_512: { materialBytes: 64, usage: 'GENERATE_VERIFY_MAC', macAlgorithm: 'HMAC_SHA_512' },
};
