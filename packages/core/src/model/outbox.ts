import { z } from 'zod';
import { TenantIdSchema } from './envelope.ts';
import { OutboundRecordSchema, visibleText } from './outbound.ts';
import { TokenSchema } from './tokens.ts';

const NameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/);
const DimensionValueSchema = visibleText(64);

/**
 * A released (privacy-safe) aggregate cell: one window, tenant, event type and set of public
 * dimension values. Only cells with at least k distinct subjects are released; noise, when on,
 * is already applied. Produced by the window closer, in region.
 */
export const AggregateCellSchema = z.strictObject({
  schema: z.literal('residency.aggregate.v1'),
  /** Stable id of the cell (window + group), so redelivery dedupes. */
  cellId: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/),
  catalog: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
  tenantId: TenantIdSchema,
  windowStart: z.iso.datetime(),
  windowSeconds: z.number().int().positive(),
  dimensions: z.record(NameSchema, DimensionValueSchema),
  count: z.number().int().nonnegative(),
  distinctSubjects: z.number().int().nonnegative(),
  metrics: z.record(
    NameSchema,
    z.strictObject({
      sum: z.number(),
      min: z.number(),
      max: z.number(),
      /** Upper bounds of the histogram buckets; the last bucket is everything above. */
      bounds: z.array(z.number()),
      counts: z.array(z.number().int().nonnegative()),
    }),
  ),
  /** Privacy parameters applied: k threshold, and epsilon when noise was added. */
  privacy: z.strictObject({ k: z.number().int().positive(), epsilon: z.number().positive().optional() }),
});

/** See {@link AggregateCellSchema}. */
export type AggregateCell = z.infer<typeof AggregateCellSchema>;

/** Tells the control plane to delete every row of these tokens (a subject was erased in region). Tokens only. */
export const ErasureNoticeSchema = z.strictObject({
  schema: z.literal('residency.erasure.v1'),
  noticeId: z.uuid(),
  erasedAt: z.iso.datetime(),
  tokens: z.array(TokenSchema).min(1).max(1000),
});

/** See {@link ErasureNoticeSchema}. */
export type ErasureNotice = z.infer<typeof ErasureNoticeSchema>;

/**
 * What the in-region outbox stream carries, and so the only things that can ever reach the
 * forwarder: pseudonymized records, released aggregates, erasure notices.
 */
export const OutboxMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('record'), record: OutboundRecordSchema }),
  z.strictObject({ kind: z.literal('aggregate'), aggregate: AggregateCellSchema }),
  z.strictObject({ kind: z.literal('erasure'), erasure: ErasureNoticeSchema }),
]);

/** See {@link OutboxMessageSchema}. */
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

const NEWLINE = 0x0a;

/**
 * The messages one outbox record carries: its data split at each newline byte. The outbox packs
 * several messages into a record, one JSON message per line (`JSON.stringify` escapes every newline
 * inside a value, and no byte of a multi-byte UTF-8 character is 0x0A, so the split is exact). A
 * record of one message, as every writer put them before, is its own single line. Every part is
 * returned, an empty one too: the forwarder must account for whatever a record holds.
 *
 * @example outboxMessagesOf(Buffer.from('{"kind":"record",…}\n{"kind":"record",…}')).length // 2
 */
export function outboxMessagesOf(data: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let start = 0;
  for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
    messages.push(data.subarray(start, end));
    start = end + 1;
  }
  messages.push(data.subarray(start));
  return messages;
}
