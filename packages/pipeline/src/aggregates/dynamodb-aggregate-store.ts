import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '@residency/core';
import {
  type AggregateWindow,
  cellIdOf,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  groupKeyOf,
  type LateWrite,
  type PartialWrite,
  planShardBatch,
  windowKeyOf,
  windowStartIso,
} from '@residency/core/aggregates';
import type { AggregateApplyResult, AggregatePort } from '../ports.ts';
import { batchGetAll, keyString } from '../support/batch-get.ts';
import type { RetryEnvironment, RetryPolicy } from '../support/retry.ts';
import {
  eventFingerprint,
  fencedLateOf,
  fencedPartialOf,
  INGEST_READ_ATTRIBUTES,
  type PartialItem,
  partialItemOf,
  type ShardItem,
  type WindowItem,
} from './items.ts';
import { openKey, partialKey, shardItemKey, windowItemKey } from './keys.ts';

/** Options of {@link createDynamoAggregateStore}. */
export interface DynamoAggregateStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** Events of a window whose end plus this is past are late. Must match the closer's. Default: 120. */
  allowedLatenessSeconds?: number;
  /**
   * Event ids a partial keeps to recognise a producer's repeat: between this many and twice as
   * many of its latest (two generations of sets, so that the item stays bounded). A repeat is
   * recognised while fewer events than this of its cell and shard came after the original.
   * Default: 2,000 (about 50 KB of the 400 KB item).
   */
  maxRecentEvents?: number;
  /** Conditional writes in flight at once. Default: 16. */
  writeConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  retryEnvironment?: RetryEnvironment;
}

/**
 * The ingest side of the aggregates table. Per batch of one shard:
 *
 * 1. One batched, strongly consistent read of every touched partial, window and shard item.
 *    Partials are read without their subject sets: a write only adds to a set, so the read stays
 *    small however many subjects a busy cell has seen.
 * 2. The pure planner decides what is new, late, a duplicate (at or before the cell's fence) or a
 *    producer's repeat (an event id the partial already holds, or that came earlier in the batch).
 * 3. One conditional update per touched cell: count, metrics and fence set; the batch's subjects
 *    and event fingerprints added to their sets. The condition is the fence that was read, so a
 *    concurrent or stale writer fails and its events are retried, never double counted; the
 *    fingerprints move with the counts in that one write, so a crash cannot split them. One
 *    conditional update per window with late events.
 *
 * A window is registered (open index, window item, shard item) before its first partial is
 * written, so the closer never misses a partial.
 *
 * Calls per batch: 1 read per 100 touched items + 1 write per touched cell (+3 once per window and
 * shard). A replayed batch costs the read only.
 *
 * @example const aggregates = createDynamoAggregateStore({ documentClient, tableName: 'residency-aggregates' });
 */
export function createDynamoAggregateStore(options: DynamoAggregateStoreOptions): AggregatePort {
  const allowedLatenessSeconds = options.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS;
  const concurrency = options.writeConcurrency ?? 16;
  const maxRecentEvents = options.maxRecentEvents ?? 2_000;
  const { documentClient: client, tableName } = options;

  return {
    async apply(shardId, observations, { nowMillis }): Promise<AggregateApplyResult> {
      const empty = { applied: 0, late: 0, duplicates: 0, repeated: 0, retry: [], lateByType: {} };
      if (observations.length === 0) return empty;
      const windows = new Map<string, AggregateWindow>();
      const cells = new Map<string, { window: AggregateWindow; cellId: string }>();
      for (const o of observations) {
        windows.set(windowKeyOf(o.window), o.window);
        const memo = `${windowKeyOf(o.window)}\n${groupKeyOf(o.group)}`;
        if (!cells.has(memo)) cells.set(memo, { window: o.window, cellId: cellIdOf(o.window, o.group) });
      }
      const keys = [
        ...[...windows.values()].flatMap((w) => [windowItemKey(w), shardItemKey(w, shardId)]),
        ...[...cells.values()].map((c) => partialKey(c.window, shardId, c.cellId)),
      ];
      const items = await batchGetAll<PartialItem | WindowItem | ShardItem>(client, tableName, keys, {
        ...options,
        attributes: INGEST_READ_ATTRIBUTES,
      });
      const cellWindow = new Map([...cells.values()].map((c) => [c.cellId, c.window]));
      const storedPartial = (cellId: string) => {
        const window = cellWindow.get(cellId);
        const item = window && items.get(keyString(partialKey(window, shardId, cellId)));
        return item?.kind === 'partial' ? item : undefined;
      };
      const plan = planShardBatch(
        observations,
        {
          partial: (cellId) => {
            const item = storedPartial(cellId);
            return item ? fencedPartialOf(item) : undefined;
          },
          holdsEvent: (cellId, eventId) => {
            const item = storedPartial(cellId);
            const fingerprint = eventFingerprint(eventId);
            return item?.events?.has(fingerprint) === true || item?.eventsBefore?.has(fingerprint) === true;
          },
          late: (windowKey) => {
            const window = windows.get(windowKey);
            const item = window && items.get(keyString(shardItemKey(window, shardId)));
            return item?.kind === 'shard' ? fencedLateOf(item) : undefined;
          },
          isClosed: (windowKey) => {
            const window = windows.get(windowKey);
            const item = window && items.get(keyString(windowItemKey(window)));
            return item?.kind === 'window' && item.status === 'closed';
          },
        },
        { allowedLatenessSeconds, nowMillis },
      );

      const retry: string[] = [];
      const unregistered = new Set<string>();
      for (const window of plan.openWindows) {
        const registered =
          items.has(keyString(windowItemKey(window))) && items.has(keyString(shardItemKey(window, shardId)));
        if (registered) continue;
        try {
          await register(client, tableName, window, shardId, nowMillis);
        } catch {
          unregistered.add(windowKeyOf(window));
        }
      }

      const typeBySequence = new Map(observations.map((o) => [o.sequenceNumber, o.group.type]));
      let applied = 0;
      let late = 0;
      const lateByType: Record<string, number> = {};
      await mapWithConcurrency(
        [...plan.partialWrites, ...plan.lateWrites] as Array<PartialWrite | LateWrite>,
        concurrency,
        async (write) => {
          const isPartial = 'cellId' in write;
          const ok =
            !(isPartial && unregistered.has(windowKeyOf(write.window))) &&
            (isPartial
              ? await putPartial(client, tableName, shardId, write, {
                  nowMillis,
                  storedEvents: storedPartial(write.cellId)?.events,
                  maxRecentEvents,
                })
              : await putLate(client, tableName, shardId, write, nowMillis));
          if (!ok) {
            retry.push(...write.sequenceNumbers);
            return;
          }
          if (isPartial) {
            applied += write.sequenceNumbers.length;
            return;
          }
          late += write.sequenceNumbers.length;
          for (const sequence of write.sequenceNumbers) {
            const type = typeBySequence.get(sequence) ?? 'unknown';
            lateByType[type] = (lateByType[type] ?? 0) + 1;
          }
        },
      );
      return { applied, late, duplicates: plan.duplicates, repeated: plan.repeated, retry, lateByType };
    },
  };
}

// Open index first, then the window, then the shard: whichever of these a crash leaves out,
// the next delivery finds the shard item missing and registers again (every step is idempotent).
async function register(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
  nowMillis: number,
): Promise<void> {
  const now = new Date(nowMillis).toISOString();
  const base = { windowStart: windowStartIso(window), windowSeconds: window.seconds };
  await client.send(
    new PutCommand({ TableName: tableName, Item: { ...openKey(window), kind: 'open', ...base } }),
  );
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: windowItemKey(window),
      UpdateExpression:
        'SET #kind = :kind, windowStart = :start, windowSeconds = :seconds, #status = if_not_exists(#status, :open), openedAt = if_not_exists(openedAt, :now)',
      ExpressionAttributeNames: { '#kind': 'kind', '#status': 'status' },
      ExpressionAttributeValues: {
        ':kind': 'window',
        ':start': base.windowStart,
        ':seconds': base.windowSeconds,
        ':open': 'open',
        ':now': now,
      },
    }),
  );
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: shardItemKey(window, shardId),
      UpdateExpression:
        'SET #kind = :kind, shardId = :shard, windowStart = :start, windowSeconds = :seconds, registeredAt = if_not_exists(registeredAt, :now)',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: {
        ':kind': 'shard',
        ':shard': shardId,
        ':start': base.windowStart,
        ':seconds': base.windowSeconds,
        ':now': now,
      },
    }),
  );
}

// The stored subject set is never read back: the batch's subjects are added to it (adding one again
// changes nothing), and so are its event ids, until the set of ids is full: then it becomes the
// previous generation and the batch's ids start a new one. Everything else is set from the plan.
async function putPartial(
  client: DynamoDBDocumentClient,
  tableName: string,
  shardId: string,
  write: PartialWrite,
  options: { nowMillis: number; storedEvents: ReadonlySet<string> | undefined; maxRecentEvents: number },
): Promise<boolean> {
  const {
    pk,
    sk,
    subjects,
    events,
    eventsBefore: _,
    ...rest
  } = partialItemOf(shardId, write, options.nowMillis);
  const stored = options.storedEvents ?? new Set<string>();
  const rotate = events !== undefined && stored.size + events.size > options.maxRecentEvents;
  const set: Record<string, unknown> = { ...rest, ...(rotate ? { events } : {}) };
  if (rotate && stored.size > 0) set.eventsBefore = stored;
  const add: Record<string, unknown> = {
    ...(subjects ? { subjects } : {}),
    ...(events && !rotate ? { events } : {}),
  };
  const remove = rotate && stored.size === 0 ? ['eventsBefore'] : [];

  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clause = (action: string, attributes: Record<string, unknown>, prefix: string) => {
    const parts = Object.entries(attributes).map(([name, value], i) => {
      names[`#${prefix}${i}`] = name;
      values[`:${prefix}${i}`] = value;
      return action === 'SET' ? `#${prefix}${i} = :${prefix}${i}` : `#${prefix}${i} :${prefix}${i}`;
    });
    return parts.length > 0 ? `${action} ${parts.join(', ')}` : '';
  };
  remove.forEach((name, i) => {
    names[`#r${i}`] = name;
  });
  const expression = [
    clause('SET', set, 'a'),
    clause('ADD', add, 's'),
    remove.length > 0 ? `REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  let condition = 'attribute_not_exists(pk)';
  if (write.previousSequenceNumber !== undefined) {
    names['#fence'] = 'lastSequence';
    values[':previous'] = write.previousSequenceNumber;
    condition = '#fence = :previous';
  }
  return attempt(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk, sk },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

async function putLate(
  client: DynamoDBDocumentClient,
  tableName: string,
  shardId: string,
  write: LateWrite,
  nowMillis: number,
): Promise<boolean> {
  const condition =
    write.previousSequenceNumber === undefined
      ? 'attribute_not_exists(lateLastSequence)'
      : 'lateLastSequence = :previous';
  return attempt(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: shardItemKey(write.window, shardId),
        UpdateExpression:
          'SET #kind = :kind, shardId = :shard, windowStart = :start, windowSeconds = :seconds, registeredAt = if_not_exists(registeredAt, :now), lateCount = :count, lateLastSequence = :last',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: {
          ':kind': 'shard',
          ':shard': shardId,
          ':start': windowStartIso(write.window),
          ':seconds': write.window.seconds,
          ':now': new Date(nowMillis).toISOString(),
          ':count': write.state.count,
          ':last': write.state.lastSequenceNumber,
          ...(write.previousSequenceNumber === undefined
            ? {}
            : { ':previous': write.previousSequenceNumber }),
        },
      }),
    ),
  );
}

// A failed condition means another delivery moved the fence since it was read; any other error
// is transient as far as this batch can tell. Either way the events are retried, and the next
// delivery reads the fence again.
async function attempt(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch {
    return false;
  }
}
