import type { OutboxMessage } from '@residency/core';

/** What a batch carries; one kind per batch. */
export type BatchKind = 'records' | 'aggregates' | 'erasure';

/** Batch kind of an outbox message kind. */
export const BATCH_KIND_OF: Readonly<Record<OutboxMessage['kind'], BatchKind>> = {
  record: 'records',
  aggregate: 'aggregates',
  erasure: 'erasure',
};

/** Most items in one batch. Default of {@link ChunkOptions.maxItems}. */
export const DEFAULT_MAX_BATCH_ITEMS = 500;
/** Largest serialized batch body. Default of {@link ChunkOptions.maxBatchBytes}: 1 MiB. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

/** One message that passed the guard, with its position in the invocation. */
export interface PassedMessage {
  /** Index of the message in the event, over the messages of every Kinesis record (see `streamMessagesOf`). */
  index: number;
  message: OutboxMessage;
}

/** A batch to sign and send: consecutive messages of one kind, in stream order. */
export interface Chunk {
  kind: BatchKind;
  /** The items as sent: records, aggregate cells or erasure notices. */
  items: unknown[];
  /** Indexes of the items' messages in the event (see {@link PassedMessage.index}). */
  indexes: number[];
  /** The items' own ids, in order: record ids, aggregate cell ids or erasure notice ids. */
  ids: string[];
  /** The serialized items (`JSON.stringify(items)`), exactly as signed. */
  body: string;
}

/** Options of {@link chunkMessages}. */
export interface ChunkOptions {
  /** Most items per batch. Default: 500. */
  maxItems?: number;
  /** Largest body in bytes; a single larger item still goes alone. Default: 1048576. */
  maxBatchBytes?: number;
}

function itemOf(message: OutboxMessage): unknown {
  if (message.kind === 'record') return message.record;
  if (message.kind === 'aggregate') return message.aggregate;
  return message.erasure;
}

// Ids the strict outbox schema constrains (record and notice ids are UUIDs, cell ids digests), so
// they carry no personal data and may go in the egress log.
function idOf(message: OutboxMessage): string {
  if (message.kind === 'record') return message.record.recordId;
  if (message.kind === 'aggregate') return message.aggregate.cellId;
  return message.erasure.noticeId;
}

/**
 * Splits messages into batches: runs of one kind in stream order (so an erasure notice never
 * overtakes a record it concerns), each cut at `maxItems` and `maxBatchBytes`. Deterministic: the
 * same messages always give the same chunks, so retried batches keep their ids.
 */
export function chunkMessages(messages: readonly PassedMessage[], options: ChunkOptions = {}): Chunk[] {
  const maxItems = options.maxItems ?? DEFAULT_MAX_BATCH_ITEMS;
  const maxBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  const chunks: Chunk[] = [];
  let current:
    | { kind: BatchKind; parts: string[]; items: unknown[]; indexes: number[]; ids: string[]; bytes: number }
    | undefined;
  const flush = () => {
    if (!current) return;
    chunks.push({
      kind: current.kind,
      items: current.items,
      indexes: current.indexes,
      ids: current.ids,
      body: `[${current.parts.join(',')}]`,
    });
    current = undefined;
  };
  for (const { index, message } of messages) {
    const kind = BATCH_KIND_OF[message.kind];
    const item = itemOf(message);
    const part = JSON.stringify(item);
    const partBytes = Buffer.byteLength(part) + 1;
    if (
      current &&
      (current.kind !== kind || current.items.length >= maxItems || current.bytes + partBytes > maxBytes)
    ) {
      flush();
    }
    current ??= { kind, parts: [], items: [], indexes: [], ids: [], bytes: 2 };
    current.parts.push(part);
    current.items.push(item);
    current.indexes.push(index);
    current.ids.push(idOf(message));
    current.bytes += partBytes;
  }
  flush();
  return chunks;
}
