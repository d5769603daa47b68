import { needs } from '@residency/core';
import { z } from 'zod';

/** Version of the signed batch format. Bump on a breaking change; the verifier accepts only this. */
export const SIGNED_BATCH_VERSION = 1;

/**
 * The HTTP headers of a signed batch. Only the signature authenticates anything: the other three
 * repeat fields of the signed body so a receiver can route, pick the key and log before parsing,
 * and the verifier refuses a batch whose headers disagree with its body.
 */
export const SIGNED_BATCH_HEADERS = {
  /** Standard base64 of the Ed25519 signature over the exact body bytes (88 characters). */
  signature: 'x-residency-signature',
  /** Names the public key to verify with (rotation: several keys are valid at once). */
  keyId: 'x-residency-key-id',
  batchId: 'x-residency-batch-id',
  /** The body's `sentAt`. */
  timestamp: 'x-residency-timestamp',
} as const;

/** What a batch carries. */
export const BatchKindSchema = z.enum(['records', 'aggregates', 'erasure']);

/** Key ids are short names: safe in a header, a log line and a metric dimension. */
export const KeyIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'not a key id');

/**
 * The body of a signed batch, as JSON. `batchId` is stable across retries (the control plane
 * dedupes on it); `keyId` and `sentAt` are inside the signed bytes, so neither can be swapped.
 * `count` must equal the number of items in `body`.
 */
export const SignedBatchSchema = z
  .strictObject({
    version: z.literal(SIGNED_BATCH_VERSION),
    batchId: z.uuid(),
    keyId: KeyIdSchema,
    sentAt: z.iso.datetime({ offset: true }),
    kind: BatchKindSchema,
    count: z.number().int().nonnegative(),
    body: z.array(z.unknown()),
  })
  .refine((batch) => batch.count === batch.body.length, {
    message: 'count differs from the number of items',
  });

/** See {@link SignedBatchSchema}. */
export type SignedBatch = z.infer<typeof SignedBatchSchema>;

/** The fields of a signed batch other than `version` and its items. */
export type SignedBatchFields = Omit<SignedBatch, 'version' | 'body'>;

/**
 * Serializes a batch to the exact bytes that are signed and sent. The items are given already
 * serialized (`JSON.stringify(items)`, as the forwarder chunks them) and are embedded as they are,
 * so the bytes sent are the bytes measured and digested.
 *
 * Precondition: `itemsJson` is a JSON array of `fields.count` items (checked cheaply: brackets only;
 * the verifier checks the count).
 *
 * @example
 * encodeSignedBatch({ batchId, keyId: 'k1', sentAt: new Date().toISOString(), kind: 'records', count: 2 }, '[{"a":1},{"a":2}]')
 */
export function encodeSignedBatch(fields: SignedBatchFields, itemsJson: string): Buffer {
  needs(
    itemsJson.startsWith('[') && itemsJson.endsWith(']'),
    'Precondition: the items of a signed batch are a JSON array',
  );
  const head = JSON.stringify({
    version: SIGNED_BATCH_VERSION,
    batchId: fields.batchId,
    keyId: fields.keyId,
    sentAt: fields.sentAt,
    kind: fields.kind,
    count: fields.count,
  });
  return Buffer.from(`${head.slice(0, -1)},"body":${itemsJson}}`, 'utf8');
}
