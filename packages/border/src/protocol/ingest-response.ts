import { z } from 'zod';

/** Path of the control plane's ingest endpoint, relative to its origin. */
export const INGEST_PATH = '/ingest';

/** One item of a rejected batch the control plane refused, by position in the batch. */
export const OffendingItemSchema = z.object({
  index: z.number().int().nonnegative(),
  reason: z.enum(['schema', 'pii', 'canary']),
  rules: z.array(z.string().max(32)).max(16).optional(),
  paths: z.array(z.string().max(256)).max(64),
});

/** See {@link OffendingItemSchema}. */
export type OffendingItem = z.infer<typeof OffendingItemSchema>;

/**
 * The control plane's answer to a signed batch, the contract between the two sides.
 * `ok: true` (HTTP 200): stored, or already had it (`duplicateBatch`); `stored + duplicates`
 * is the batch's count. `ok: false` (HTTP 4xx): refused, with a reason code and, when the content
 * was the problem, which items.
 */
export const IngestResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    batchId: z.string(),
    stored: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    duplicateBatch: z.boolean(),
  }),
  z.object({
    ok: z.literal(false),
    /** A code: `signature`, `stale`, `unknown-key`, `malformed`, `schema`, `pii`, `too-large`, ... */
    reason: z.string().max(64),
    offending: z.array(OffendingItemSchema).max(1000).optional(),
  }),
]);

/** See {@link IngestResponseSchema}. */
export type IngestResponse = z.infer<typeof IngestResponseSchema>;

/** Reason codes that mean "the content of this batch is refused": retrying it unchanged cannot help. */
export const CONTENT_REJECTION_REASONS: ReadonlySet<string> = new Set([
  'schema',
  'pii',
  'canary',
  'malformed',
]);
