import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keyText, queryPages } from '@residency/aws';
import { type AggregateWindow, windowStartIso } from '@residency/core/aggregates';
import { LRUCache } from 'lru-cache';
import type { EventLogItem } from './items.ts';
import { EVENT_LOG_SK_PREFIX, eventLogKey, partialPk, shardItemKey } from './keys.ts';

/**
 * Ids one event log item holds at most: 4,000 event fingerprints of 22 characters are about
 * 100 KB, a quarter of DynamoDB's 400 KB item, so that longer ids still fit.
 */
export const EVENT_LOG_IDS_PER_ITEM = 4_000;

/**
 * Adds ids to a set of recent ids and drops the oldest beyond `max` (a Set keeps insertion order).
 * Mutates `recent`.
 */
export function remember(recent: Set<string>, ids: Iterable<string>, max: number): void {
  for (const id of ids) recent.add(id);
  if (recent.size <= max) return;
  let excess = recent.size - max;
  for (const id of recent) {
    if (excess-- <= 0) break;
    recent.delete(id);
  }
}

const PACKED_ID_BYTES = 16;

/**
 * Splits event log ids into the fingerprints of UUIDs (22 base64url characters that are exactly 16
 * bytes), packed one after another into one buffer, and any other id, kept as it is. Exact: an id
 * is packed only when its bytes give it back. A set of 2,500 strings cost the SDK about 1 µs of CPU
 * and dynalite 2 to 4 µs of wall time per id to write; one binary value, a third of that.
 */
export function packIds(ids: readonly string[]): { packed?: Uint8Array; others?: Set<string> } {
  const buffer = Buffer.allocUnsafe(ids.length * PACKED_ID_BYTES);
  let length = 0;
  const others = new Set<string>();
  for (const id of ids) {
    if (
      id.length === 22 &&
      buffer.write(id, length, PACKED_ID_BYTES, 'base64url') === PACKED_ID_BYTES &&
      buffer.toString('base64url', length, length + PACKED_ID_BYTES) === id
    ) {
      length += PACKED_ID_BYTES;
    } else {
      others.add(id);
    }
  }
  return {
    ...(length > 0 ? { packed: buffer.subarray(0, length) } : {}),
    ...(others.size > 0 ? { others } : {}),
  };
}

/** The ids an event log item holds, packed ones first (see {@link packIds}). */
export function unpackIds(item: Pick<EventLogItem, 'packed' | 'ids'>): string[] {
  const ids: string[] = [];
  const packed = item.packed
    ? Buffer.from(item.packed.buffer, item.packed.byteOffset, item.packed.byteLength)
    : undefined;
  if (packed) {
    for (let at = 0; at + PACKED_ID_BYTES <= packed.length; at += PACKED_ID_BYTES)
      ids.push(packed.toString('base64url', at, at + PACKED_ID_BYTES));
  }
  for (const id of item.ids ?? []) ids.push(id);
  return ids;
}

/**
 * The items that log `ids` (in order) of one batch in a (window, shard). `suffix` is new for every
 * write, so that a later write never replaces an item (a delivery that starts at the same record
 * may log other ids).
 */
export function eventLogItemsOf(
  window: AggregateWindow,
  shardId: string,
  firstSequenceNumber: string,
  suffix: string,
  ids: readonly string[],
  nowMillis: number,
  expiresAt: number,
): EventLogItem[] {
  const items: EventLogItem[] = [];
  for (let start = 0, part = 0; start < ids.length; start += EVENT_LOG_IDS_PER_ITEM, part += 1) {
    const { packed, others } = packIds(ids.slice(start, start + EVENT_LOG_IDS_PER_ITEM));
    items.push({
      ...eventLogKey(window, shardId, firstSequenceNumber, `${suffix}.${part}`),
      kind: 'events',
      shardId,
      windowStart: windowStartIso(window),
      windowSeconds: window.seconds,
      ...(packed ? { packed } : {}),
      ...(others ? { ids: others } : {}),
      loggedAt: new Date(nowMillis).toISOString(),
      expiresAt,
    });
  }
  return items;
}

/**
 * Reads the latest logged ids of a (window, shard), newest items first, until at least `max`
 * (whole items, so a few more) or the log's start: what a store that takes the shard over needs to
 * recognise repeats as the previous writer did. Strongly consistent.
 */
export async function readRecentIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
  max: number,
): Promise<Set<string>> {
  const newestFirst: string[][] = [];
  let count = 0;
  for await (const page of queryPages(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': partialPk(window, shardId), ':prefix': EVENT_LOG_SK_PREFIX },
    ScanIndexForward: false,
    ConsistentRead: true,
  })) {
    for (const item of (page.Items ?? []) as EventLogItem[]) {
      const ids = unpackIds(item);
      newestFirst.push(ids);
      count += ids.length;
    }
    if (count >= max) break;
  }
  // Oldest first, as the store adds them, so that `remember` drops the oldest.
  const recent = new Set<string>();
  for (const ids of newestFirst.reverse()) for (const id of ids) recent.add(id);
  return recent;
}

/** Options of {@link createRecentEventIds}. */
export interface RecentEventIdsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Ids kept per (window, shard). */
  maxRecentEvents: number;
  /** Approximate bytes of ids held in all (about 64 per id). */
  maxBytes: number;
}

/**
 * The recent event ids of the (window, shard)s one store writes, each held under the claim it was
 * logged under: used while the shard item still carries that claim, read again from the event log
 * (newest first) when another writer took the shard since.
 */
export function createRecentEventIds(options: RecentEventIdsOptions) {
  const { client, tableName, maxRecentEvents } = options;
  const held = new LRUCache<string, { claim: string; ids: Set<string> }>({
    maxSize: Math.max(1, Math.floor(options.maxBytes)),
    sizeCalculation: (entry) => 256 + entry.ids.size * 64,
  });
  return {
    /**
     * The recent ids of each window, by window key. `writer` is the shard item's claim as just
     * read: none means nothing was ever written there, so there is nothing to read.
     */
    async load(
      shardId: string,
      windows: ReadonlyMap<string, AggregateWindow>,
      writerOf: (window: AggregateWindow) => string | undefined,
    ): Promise<Map<string, Set<string>>> {
      const recent = new Map<string, Set<string>>();
      await Promise.all(
        [...windows].map(async ([windowKey, window]) => {
          const writer = writerOf(window);
          const entry = held.get(keyText(shardItemKey(window, shardId)));
          const ids =
            writer === undefined
              ? new Set<string>()
              : entry?.claim === writer
                ? entry.ids
                : await readRecentIds(client, tableName, window, shardId, maxRecentEvents);
          recent.set(windowKey, ids);
        }),
      );
      return recent;
    },
    /** Adds what was just logged to a window's ids (as `load` gave them) and holds them under `claim`. */
    keep(
      shardId: string,
      window: AggregateWindow,
      claim: string,
      ids: Set<string>,
      logged: readonly string[],
    ) {
      remember(ids, logged, maxRecentEvents);
      held.set(keyText(shardItemKey(window, shardId)), { claim, ids });
    },
    /** Drops a window's ids: its log write failed, so the next batch reads the log. */
    forget(shardId: string, window: AggregateWindow) {
      held.delete(keyText(shardItemKey(window, shardId)));
    },
  };
}
