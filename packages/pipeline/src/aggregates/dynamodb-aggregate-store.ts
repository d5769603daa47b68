import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keyText, readBatch } from '@residency/aws';
import {
  type AggregateWindow,
  cellIdOf,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  type FencedPartial,
  groupKeyOf,
  isAfter,
  type PartialWrite,
  planShardBatch,
  windowEndMillis,
  windowKeyOf,
} from '@residency/core/aggregates';
import { LRUCache } from 'lru-cache';
import type { AggregateApplyResult, AggregatePort } from '../ports.ts';
import { putBatch } from '../support/batch-write.ts';
import type { RetryEnvironment, RetryPolicy } from '../support/retry.ts';
import { retryBoundsOf } from '../support/retry.ts';
import { attempt, claimShard, putLate, register } from './bookkeeping.ts';
import { createRecentEventIds, eventLogItemsOf } from './event-log.ts';
import {
  eventFingerprint,
  fencedLateOf,
  fencedPartialOf,
  type PartialItem,
  type ShardItem,
  type WindowItem,
} from './items.ts';
import { partialKey, shardItemKey, type TableKey, windowItemKey } from './keys.ts';
import { type CachedPartial, createPartialCache, DEFAULT_CACHE_BYTES } from './partial-cache.ts';
import { sealSubjects } from './subject-chunks.ts';

/** Default of `maxRecentEvents`: 20,000 ids, 20 s of a shard at its 1,000 records/s limit. */
export const DEFAULT_RECENT_EVENTS = 20_000;

// A partial the batch touches, with its table key.
interface TouchedCell {
  window: AggregateWindow;
  cellId: string;
  key: TableKey;
  text: string;
}

/** Options of {@link createDynamoAggregateStore}. */
export interface DynamoAggregateStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** Events of a window whose end plus this is past are late. Must match the closer's. Default: 120. */
  allowedLatenessSeconds?: number;
  /**
   * Ids of applied events the store keeps per (window, shard) to recognise a producer's repeat:
   * a repeat is recognised while fewer events than this of its window and shard came after the
   * original. They are held in memory and read from the event log when a store takes a shard over.
   * Default: {@link DEFAULT_RECENT_EVENTS}.
   */
  maxRecentEvents?: number;
  /**
   * Approximate bytes this store keeps from one batch to the next of a shard, so that it need not
   * read them again while it holds its claim: three quarters for the partials it put, a quarter
   * for recent event ids. Default: 64 MiB.
   */
  cacheBytes?: number;
  /**
   * Days after a window's end that its partials and sealed subjects are kept: they carry
   * `expiresAt` for the table's TTL (the stack enables it; dynalite deletes nothing). Event logs
   * expire a day after the allowed lateness. Default: 35.
   */
  retentionDays?: number;
  /** BatchWriteItem calls in flight at once. Default: 4. */
  writeConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  retryEnvironment?: RetryEnvironment;
}

/**
 * The ingest side of the aggregates table. Per batch of one shard:
 *
 * 1. One batched, strongly consistent read of the touched window and shard items, and of every
 *    touched partial this store holds no trusted copy of (see below). The recent event ids of
 *    each touched (window, shard) come from memory, or from its event log after a takeover.
 * 2. The pure planner decides what is new, late, a duplicate (at or before the cell's fence) or a
 *    producer's repeat (an event id the (window, shard) recently applied, or that came earlier in
 *    the batch).
 * 3. Every touched partial is put whole (count, metrics, subjects and its fence: one item, so a
 *    crash cannot split them) in BatchWriteItem calls of 25 items. A put that is not written
 *    leaves the item as it was, and its events are retried: the next delivery reads the fence
 *    again, so nothing is counted twice. One conditional update per window with late events.
 * 4. The ids of the events now applied are put to the (window, shard)'s event log, once: after
 *    the partials, so that an id is never logged for an event that its retry must still apply.
 *    If that put fails, the window's applied events are retried, and logged when they come again.
 *
 * The puts are unconditional: BatchWriteItem takes no condition, and DynamoDB transactions are
 * not used (dynalite has none). That is sound because a shard has one writer: the event source
 * mapping runs one batch of a shard at a time (the stack pins ParallelizationFactor to 1), and
 * the item of a (window, cell, shard) is written only by that shard's batches. What it gives up:
 * a timed-out invocation whose put lands after its retry's could roll a partial back. The
 * conditional update per cell that this replaced cost one API call per touched cell, about ten
 * times the client CPU per cell (measured in the load test), and half the hot path.
 *
 * Trusted copies: the store keeps what it put (bounded by `cacheBytes`), because the next batch of
 * the shard usually comes to the same Lambda environment and touches the same cells. Before its
 * first put in a (window, shard), a store claims it: a conditional update sets the shard item's
 * `writer` to a fresh random token, and its copies there are kept under that token. A copy is used
 * only while the shard item (read in step 1 anyway) still carries its token; if another
 * environment took the shard in between, it claimed first, and the copies are read again. A put
 * that failed or may not have landed is forgotten. So a copy is never older than the table,
 * within the one-writer guarantee above, and the steady state reads no partial at all.
 *
 * A window is registered (open index, window item, shard item) before its first partial is
 * written, so the closer never misses a partial.
 *
 * Calls per batch: 1 read per 100 touched items not held (at least 1, for the window and shard
 * items) + 1 write per 25 touched cells + 1 for the event log (+4 once per window and shard; +1
 * claim and a Query of the log when another writer took the shard). A replayed batch costs the
 * read only.
 *
 * @example const aggregates = createDynamoAggregateStore({ documentClient, tableName: 'residency-aggregates' });
 */
export function createDynamoAggregateStore(options: DynamoAggregateStoreOptions): AggregatePort {
  const allowedLatenessSeconds = options.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS;
  const concurrency = options.writeConcurrency ?? 4;
  const maxRecentEvents = options.maxRecentEvents ?? DEFAULT_RECENT_EVENTS;
  const retentionSeconds = (options.retentionDays ?? 35) * 86_400;
  const endSeconds = (window: AggregateWindow) => Math.ceil(windowEndMillis(window) / 1000);
  const { documentClient: client, tableName } = options;

  const cache = createPartialCache({ maxBytes: ((options.cacheBytes ?? DEFAULT_CACHE_BYTES) * 3) / 4 });
  // The claim this store holds on each (window, shard) it writes, by the shard item's key.
  const claims = new LRUCache<string, string>({ max: 4_096 });
  const recentIds = createRecentEventIds({
    client,
    tableName,
    maxRecentEvents,
    maxBytes: (options.cacheBytes ?? DEFAULT_CACHE_BYTES) / 4,
  });

  return {
    async apply(shardId, observations, { nowMillis }): Promise<AggregateApplyResult> {
      const empty = { applied: 0, late: 0, duplicates: 0, repeated: 0, retry: [], lateByType: {} };
      if (observations.length === 0) return empty;
      const windows = new Map<string, AggregateWindow>();
      const cells = new Map<string, TouchedCell>();
      // The cell of each observation, in order.
      const cellOf: TouchedCell[] = [];
      for (const o of observations) {
        windows.set(windowKeyOf(o.window), o.window);
        const memo = `${windowKeyOf(o.window)}\n${groupKeyOf(o.group)}`;
        let cell = cells.get(memo);
        if (!cell) {
          const cellId = cellIdOf(o.window, o.group);
          const key = partialKey(o.window, shardId, cellId);
          cell = { window: o.window, cellId, key, text: keyText(key) };
          cells.set(memo, cell);
        }
        cellOf.push(cell);
      }
      const touched = [...cells.values()];
      // Bookkeeping items are always read; partials only when this store has no copy of them.
      const uncached = touched.filter((c) => !cache.has(c.text));
      const read = (keys: readonly TableKey[]) =>
        readBatch<PartialItem | WindowItem | ShardItem>(client, tableName, keys, {
          concurrency: 4,
          retry: retryBoundsOf(options.retry, options.retryEnvironment),
        });
      const items = await read([
        ...[...windows.values()].flatMap((w) => [windowItemKey(w), shardItemKey(w, shardId)]),
        ...uncached.map((c) => c.key),
      ]);
      const writerOf = (window: AggregateWindow) => {
        const item = items.get(keyText(shardItemKey(window, shardId)));
        return item?.kind === 'shard' ? item.writer : undefined;
      };
      // A copy counts only while the shard item still carries the claim it was put under: another
      // writer claims before its first put, so any other value means the copy may be stale.
      const cached = new Map<string, CachedPartial>();
      const stale: TouchedCell[] = [];
      const wasRead = new Set(uncached);
      for (const cell of touched) {
        if (wasRead.has(cell)) continue;
        const entry = cache.valid(cell.text, writerOf(cell.window));
        if (entry) cached.set(cell.cellId, entry);
        else stale.push(cell);
      }
      if (stale.length > 0) {
        for (const [key, item] of await read(stale.map((c) => c.key))) items.set(key, item);
      }
      const recentByWindow = await recentIds.load(shardId, windows, writerOf);
      const cellById = new Map(touched.map((c) => [c.cellId, c]));
      // The planner asks per event; each cell's item is looked up and converted once per batch.
      const storedByCell = new Map<string, PartialItem | undefined>();
      const fencedByCell = new Map<string, FencedPartial | undefined>();
      const storedPartial = (cellId: string) => {
        const entry = cached.get(cellId);
        if (entry) return entry.item;
        if (storedByCell.has(cellId)) return storedByCell.get(cellId);
        const text = cellById.get(cellId)?.text;
        const item = text === undefined ? undefined : items.get(text);
        const partial = item?.kind === 'partial' ? item : undefined;
        storedByCell.set(cellId, partial);
        return partial;
      };
      const storedFenced = (cellId: string) => {
        const entry = cached.get(cellId);
        if (entry) return entry.fenced;
        if (fencedByCell.has(cellId)) return fencedByCell.get(cellId);
        const item = storedPartial(cellId);
        const fenced = item ? fencedPartialOf(item) : undefined;
        fencedByCell.set(cellId, fenced);
        return fenced;
      };
      const closed = new Set(
        [...windows].flatMap(([windowKey, window]) => {
          const item = items.get(keyText(windowItemKey(window)));
          return item?.kind === 'window' && item.status === 'closed' ? [windowKey] : [];
        }),
      );
      const plan = planShardBatch(
        observations,
        {
          partial: storedFenced,
          holdsEvent: (cellId, eventId) => {
            const window = cellById.get(cellId)?.window;
            const recent = window && recentByWindow.get(windowKeyOf(window));
            return recent !== undefined && recent.size > 0 && recent.has(eventFingerprint(eventId));
          },
          late: (windowKey) => {
            const window = windows.get(windowKey);
            const item = window && items.get(keyText(shardItemKey(window, shardId)));
            return item?.kind === 'shard' ? fencedLateOf(item) : undefined;
          },
          isClosed: (windowKey) => closed.has(windowKey),
        },
        { allowedLatenessSeconds, nowMillis },
      );

      const retry: string[] = [];
      const unregistered = new Set<string>();
      for (const window of plan.openWindows) {
        const registered =
          items.has(keyText(windowItemKey(window))) && items.has(keyText(shardItemKey(window, shardId)));
        if (registered) continue;
        try {
          await register(client, tableName, window, shardId, nowMillis);
        } catch {
          unregistered.add(windowKeyOf(window));
        }
      }

      // Events an earlier delivery applied whose ids are not in the log (that delivery's log write
      // failed): logged now, with the ids this batch applies.
      const toLog = new Map<string, { window: AggregateWindow; first: string; ids: string[] }>();
      const log = (window: AggregateWindow, sequenceNumber: string, fingerprint: string) => {
        const windowKey = windowKeyOf(window);
        if (recentByWindow.get(windowKey)?.has(fingerprint)) return;
        const entry = toLog.get(windowKey) ?? { window, first: sequenceNumber, ids: [] };
        entry.ids.push(fingerprint);
        toLog.set(windowKey, entry);
      };
      observations.forEach((o, i) => {
        if (o.eventId === undefined) return;
        const fence = storedFenced((cellOf[i] as TouchedCell).cellId)?.lastSequenceNumber;
        if (fence !== undefined && !isAfter(o.sequenceNumber, fence))
          log(o.window, o.sequenceNumber, eventFingerprint(o.eventId));
      });

      // Before its first put in a (window, shard), a store claims it, so that a copy another
      // writer cached there is no longer trusted. A claim held since the read needs no call.
      // `holding`: the windows whose claim this store holds now; only those are written.
      const holding = new Set<string>();
      for (const [windowKey, window] of windows) {
        const claim = claims.get(keyText(shardItemKey(window, shardId)));
        if (claim !== undefined && claim === writerOf(window) && !unregistered.has(windowKey))
          holding.add(windowKey);
      }
      let takeovers = 0;
      const toClaim = new Map(plan.partialWrites.map((w) => [windowKeyOf(w.window), w.window]));
      for (const { window } of toLog.values()) toClaim.set(windowKeyOf(window), window);
      for (const [windowKey, window] of toClaim) {
        if (unregistered.has(windowKey) || holding.has(windowKey)) continue;
        const seen = writerOf(window);
        const claim = randomUUID();
        if (await attempt(() => claimShard(client, tableName, window, shardId, seen, claim))) {
          claims.set(keyText(shardItemKey(window, shardId)), claim);
          holding.add(windowKey);
          if (seen !== undefined) takeovers += 1;
        }
      }

      const partials: PartialWrite[] = [];
      for (const write of plan.partialWrites) {
        if (holding.has(windowKeyOf(write.window))) partials.push(write);
        else retry.push(...write.sequenceNumbers);
      }
      // What is still not written after putBatch's own retries is retried by the next delivery.
      // Sealed subjects first: a partial that counts a chunk is put only once the chunk is stored.
      const puts = partials.map((write) =>
        sealSubjects(
          shardId,
          write,
          storedPartial(write.cellId),
          nowMillis,
          endSeconds(write.window) + retentionSeconds,
        ),
      );
      const chunked = await putBatch(
        client,
        tableName,
        puts.flatMap((put) => put.chunks.map((item) => ({ item, write: put.write }))),
        { ...options, concurrency },
      );
      const unsealed = new Set([...chunked.failed, ...chunked.refused].map((entry) => entry.write));
      const { failed, refused } = await putBatch(
        client,
        tableName,
        puts.filter((put) => !unsealed.has(put.write)),
        { ...options, concurrency },
      );
      const notWritten = [...failed, ...refused, ...puts.filter((put) => unsealed.has(put.write))];
      for (const { write } of notWritten) retry.push(...write.sequenceNumbers);
      // Keep what was put, under the claim it was put under; a put that may not have landed is
      // forgotten, so the next batch reads the item as it is.
      const lost = new Set(notWritten.map((n) => n.write));
      for (const { write, item, fenced } of puts) {
        const key = keyText(item);
        const claim = claims.get(keyText(shardItemKey(write.window, shardId)));
        if (lost.has(write) || claim === undefined) cache.delete(key);
        else cache.set(key, { item, fenced, claim });
      }
      let applied = 0;
      for (const write of partials) applied += write.sequenceNumbers.length;
      for (const { write } of notWritten) applied -= write.sequenceNumbers.length;

      // The ids of what was applied go to the event log after the partials that count them: an id
      // logged first could make its own event's retry look like a repeat. If the log is not
      // written, the window's applied events are retried: their next delivery finds them applied
      // (at the fence) and logs them then.
      const appliedByWindow = new Map<string, PartialWrite[]>();
      for (const write of partials) {
        if (lost.has(write)) continue;
        const windowKey = windowKeyOf(write.window);
        const inWindow = appliedByWindow.get(windowKey) ?? [];
        inWindow.push(write);
        appliedByWindow.set(windowKey, inWindow);
        const first = write.sequenceNumbers[0] as string;
        for (const id of write.eventIds) log(write.window, first, eventFingerprint(id));
      }
      const suffix = randomUUID().slice(0, 8);
      const logItems = [...toLog]
        .filter(([windowKey]) => holding.has(windowKey))
        .flatMap(([windowKey, entry]) =>
          eventLogItemsOf(
            entry.window,
            shardId,
            entry.first,
            suffix,
            entry.ids,
            nowMillis,
            endSeconds(entry.window) + allowedLatenessSeconds + 86_400,
          ).map((item) => ({
            windowKey,
            item,
          })),
        );
      const unlogged = await putBatch(client, tableName, logItems, { ...options, concurrency });
      const notLogged = new Set([...unlogged.failed, ...unlogged.refused].map((entry) => entry.windowKey));
      for (const [windowKey, window] of windows) {
        const shardKey = keyText(shardItemKey(window, shardId));
        const claim = claims.get(shardKey);
        const recent = recentByWindow.get(windowKey);
        if (notLogged.has(windowKey)) {
          recentIds.forget(shardId, window);
          for (const write of appliedByWindow.get(windowKey) ?? []) {
            retry.push(...write.sequenceNumbers);
            applied -= write.sequenceNumbers.length;
          }
        } else if (claim !== undefined && holding.has(windowKey) && recent) {
          recentIds.keep(shardId, window, claim, recent, toLog.get(windowKey)?.ids ?? []);
        }
      }

      const typeBySequence = new Map(observations.map((o) => [o.sequenceNumber, o.group.type]));
      let late = 0;
      const lateByType: Record<string, number> = {};
      for (const write of plan.lateWrites) {
        if (!(await putLate(client, tableName, shardId, write, nowMillis))) {
          retry.push(...write.sequenceNumbers);
          continue;
        }
        late += write.sequenceNumbers.length;
        for (const sequence of write.sequenceNumbers) {
          const type = typeBySequence.get(sequence) ?? 'unknown';
          lateByType[type] = (lateByType[type] ?? 0) + 1;
        }
      }
      return {
        applied,
        late,
        duplicates: plan.duplicates,
        repeated: plan.repeated,
        retry,
        lateByType,
        takeovers,
      };
    },
  };
}
