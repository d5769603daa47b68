import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AggregateWindow, windowStartIso } from '@residency/core/aggregates';
import type { EventLogItem } from './items.ts';
import { EVENT_LOG_SK_PREFIX, eventLogKey, partialPk } from './keys.ts';

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
): EventLogItem[] {
  const items: EventLogItem[] = [];
  for (let start = 0, part = 0; start < ids.length; start += EVENT_LOG_IDS_PER_ITEM, part += 1) {
    items.push({
      ...eventLogKey(window, shardId, firstSequenceNumber, `${suffix}.${part}`),
      kind: 'events',
      shardId,
      windowStart: windowStartIso(window),
      windowSeconds: window.seconds,
      ids: new Set(ids.slice(start, start + EVENT_LOG_IDS_PER_ITEM)),
      loggedAt: new Date(nowMillis).toISOString(),
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
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partialPk(window, shardId), ':prefix': EVENT_LOG_SK_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of (page.Items ?? []) as EventLogItem[]) {
      const ids = [...(item.ids ?? [])];
      newestFirst.push(ids);
      count += ids.length;
    }
    start = page.LastEvaluatedKey;
  } while (start && count < max);
  // Oldest first, as the store adds them, so that `remember` drops the oldest.
  const recent = new Set<string>();
  for (const ids of newestFirst.reverse()) remember(recent, ids, Number.POSITIVE_INFINITY);
  return recent;
}
