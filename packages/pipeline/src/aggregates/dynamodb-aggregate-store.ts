import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keyText, readBatch, writeBatch } from '@residency/aws';
import {
  type AggregateWindow,
  compareSequenceNumbers,
  createCellIdMemo,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  type FencedPartial,
  isAfter,
  isPastLateness,
  type Observation,
  type PartialWrite,
  planShardBatch,
  type ShardBatchPlan,
  windowEndMillis,
  windowKeyOf,
} from '@residency/core/aggregates';
import { LRUCache } from 'lru-cache';
import type { AggregateApplyResult, AggregatePort, AggregatePreparation } from '../ports.ts';
import { putBatch } from '../support/batch-write.ts';
import type { RetryEnvironment, RetryPolicy } from '../support/retry.ts';
import { retryBoundsOf } from '../support/retry.ts';
import { attempt, claimShard, putLate, register } from './bookkeeping.ts';
import { createRecentEventIds, eventLogItemsOf } from './event-log.ts';
import {
  decodePage,
  eventFingerprint,
  fencedLateOf,
  fencedPartialOf,
  latestOf,
  type PageOf,
  type PartialEntry,
  type PartialPageItem,
  pageItemsOf,
  type ShardItem,
  type WindowItem,
} from './items.ts';
import { PAGE_SK_PREFIX, partialPk, shardItemKey, windowItemKey } from './keys.ts';
import { readShardItems } from './pages.ts';
import {
  createPartialCache,
  DEFAULT_CACHE_BYTES,
  type HeldPartial,
  type HeldShard,
} from './partial-cache.ts';
import { type SealedWrite, sealSubjects, wholeBytesOf, wholeEntryOf } from './subject-chunks.ts';

/** Default of `maxRecentEvents`: 20,000 ids, 20 s of a shard at its 1,000 records/s limit. */
export const DEFAULT_RECENT_EVENTS = 20_000;

// A partial the batch touches.
interface TouchedCell {
  window: AggregateWindow;
  windowKey: string;
  cellId: string;
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
 * 1. One batched, strongly consistent read of the touched window and shard items (begun by
 *    `prepare` when the ingest gives the store a head start, so that it overlaps the batch's
 *    tokenization and outbox write; a read begun earlier in the same batch is the same read
 *    delayed, which the steps below must stand anyway). Every partial of
 *    each touched (window, shard) comes from memory, or from its pages after a takeover (see
 *    below). The recent event ids of each touched (window, shard) come from memory, or from its
 *    event log after a takeover.
 * 2. The pure planner decides what is new, late, a duplicate (at or before the cell's fence) or a
 *    producer's repeat (an event id the (window, shard) recently applied, or that came earlier in
 *    the batch).
 * 3. Every touched partial is put whole (count, metrics, the subjects it adds and its fence: one
 *    entry, so a crash cannot split them; a cell's subjects are the union of its entries since its
 *    last seal, so an entry holds only those its cell's earlier entries did not) on new pages of
 *    the (window, shard): items of up to 320 KB of JSON,
 *    compressed, in one binary attribute, so a batch of 2,500 events puts two or three items, not
 *    hundreds (a partial too big for a page alone is not written, and its events are retried). A
 *    cell's partial is its entry with the greatest fence over the pages (the closer reads them the
 *    same way), so a page that is not written leaves the cell as it was, and its events are
 *    retried: the next delivery finds the fence again, so nothing is counted twice. Should the
 *    pages grow past {@link COMPACT_RATIO} times the partials (long windows), a batch writes every
 *    partial again and then deletes the older pages. One conditional update per window with late
 *    events.
 * 4. The ids of the events now applied are put to the (window, shard)'s event log, once: after
 *    the partials, so that an id is never logged for an event that its retry must still apply.
 *    If that put fails, the window's applied events are retried, and logged when they come again.
 *
 * The puts are unconditional: BatchWriteItem takes no condition, and DynamoDB transactions are
 * not used (dynalite has none). That is sound because a shard has one writer: the event source
 * mapping runs one batch of a shard at a time (the stack pins ParallelizationFactor to 1), and
 * the pages of a (window, shard) are written only by that shard's batches. A timed-out invocation
 * whose put lands after its retry's cannot roll a partial back: its entries carry older fences.
 * Per-cell items (a conditional update each, then a plain put each) cost the SDK's per-item and
 * per-attribute work on every touched cell, which was most of the hot path.
 *
 * Held partials: the store keeps every partial of a (window, shard) it wrote (bounded by
 * `cacheBytes`), because the next batch of the shard usually comes to the same Lambda environment.
 * Before its first put in a (window, shard), a store claims it: a conditional update sets the
 * shard item's `writer` to a fresh random token, and what it holds there is kept under that token.
 * It is used only while the shard item (read in step 1 anyway) still carries its token; if another
 * environment took the shard in between, it claimed first, and the pages are read again. A
 * (window, shard) with a page that failed or may not have landed is forgotten. So what is held is
 * never older than the table, within the one-writer guarantee above, and the steady state reads
 * no partial at all.
 *
 * The one exception is the late page of a timed-out invocation that lands after its bisected retry
 * wrote a smaller fence: the table then shows a state (counting more events) that the holder's
 * history does not. Its cells read correctly (each entry counts every event up to its fence), and
 * the holder's next entries supersede it. But events found applied or repeated against it are
 * done only if the store that found them holds the (window, shard) after the batch (it claims it
 * for them too): a store that cannot claim retries them, so that the holder, which goes on from
 * its own history, applies them.
 *
 * A window is registered (open index, window item, shard item) before its first partial is
 * written, so the closer never misses a partial.
 *
 * Calls per batch: 1 read per 100 touched window and shard items (at least 1) + 1 write per 25
 * pages (one for a batch of thousands of events) + 1 for the event log (+4 once per window and
 * shard; +1 claim, a Query of the pages and one of the log when another writer took the shard;
 * +1 delete call when compacting). A replayed batch costs the read only (and
 * the claim, in an environment that does not hold the shard).
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

  const readItems = (shardId: string, windows: readonly AggregateWindow[]) =>
    readBatch<WindowItem | ShardItem>(
      client,
      tableName,
      windows.flatMap((w) => [windowItemKey(w), shardItemKey(w, shardId)]),
      { concurrency: 4, retry: retryBoundsOf(options.retry, options.retryEnvironment) },
    );
  // What `prepare` began, by the preparation it returned: only this store's are honoured.
  const preparations = new WeakMap<AggregatePreparation, ReadAhead>();

  return {
    prepare(shardId, windows) {
      const preparation: AggregatePreparation = Object.freeze({ shardId });
      const byKey = new Map(windows.map((window) => [windowKeyOf(window), window]));
      // A read that fails leaves `apply` to read for itself.
      const items = readItems(shardId, [...byKey.values()]).catch(() => undefined);
      preparations.set(preparation, { windowKeys: new Set(byKey.keys()), items });
      return preparation;
    },

    async apply(shardId, observations, { nowMillis, prepared }): Promise<AggregateApplyResult> {
      const empty = { applied: 0, late: 0, duplicates: 0, repeated: 0, retry: [], lateByType: {} };
      if (observations.length === 0) return empty;
      const windows = new Map<string, AggregateWindow>();
      const cells = new Map<string, TouchedCell>();
      const cellIdFor = createCellIdMemo();
      // The cell of each observation, in order.
      const cellOf: TouchedCell[] = [];
      for (const o of observations) {
        const windowKey = windowKeyOf(o.window);
        if (!windows.has(windowKey)) windows.set(windowKey, o.window);
        const cellId = cellIdFor(o.window, o.group);
        let cell = cells.get(cellId);
        if (!cell) {
          cell = { window: o.window, windowKey, cellId };
          cells.set(cellId, cell);
        }
        cellOf.push(cell);
      }
      // Each event id's fingerprint, once: the repeat check and the event log both need it.
      const fingerprints = new Map<string, string>();
      const fingerprintOf = (eventId: string) => {
        let fingerprint = fingerprints.get(eventId);
        if (fingerprint === undefined) {
          fingerprint = eventFingerprint(eventId);
          fingerprints.set(eventId, fingerprint);
        }
        return fingerprint;
      };
      // The window and shard items are read every batch: the shard item's writer says whether the
      // partials this store holds of the (window, shard) are still the table's. Read ahead by
      // `prepare` when it covers every window of the batch; a read that began earlier in the same
      // batch is no different from this one delayed, which a batch must stand anyway.
      const ahead = readAheadOf(preparations, shardId, windows, prepared);
      const items = (ahead && (await ahead)) ?? (await readItems(shardId, [...windows.values()]));
      const writerOf = (window: AggregateWindow) => {
        const item = items.get(keyText(shardItemKey(window, shardId)));
        return item?.kind === 'shard' ? item.writer : undefined;
      };
      // Every partial of each touched (window, shard): held while the shard item still carries
      // the claim they were put under (another writer claims before its first put, so any other
      // value means they may be stale), read from its pages otherwise.
      const stateByWindow = new Map<string, PartialState>();
      await Promise.all(
        [...windows].map(async ([windowKey, window]) => {
          const writer = writerOf(window);
          const held = cache.valid(keyText(shardItemKey(window, shardId)), writer);
          stateByWindow.set(
            windowKey,
            held
              ? { cells: held.cells, pages: held.pages }
              : writer === undefined
                ? { cells: new Map(), pages: new Map() }
                : await loadState(client, tableName, window, shardId),
          );
        }),
      );
      const heldPartial = (cellId: string) => {
        const cell = cells.get(cellId);
        return cell && stateByWindow.get(cell.windowKey)?.cells.get(cellId);
      };
      const storedFenced = (cellId: string) => heldPartial(cellId)?.fenced;
      const recentByWindow = await recentIds.load(shardId, windows, writerOf);
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
            const cell = cells.get(cellId);
            const recent = cell && recentByWindow.get(cell.windowKey);
            return recent !== undefined && recent.size > 0 && recent.has(fingerprintOf(eventId));
          },
          late: (windowKey) => {
            const window = windows.get(windowKey);
            const item = window && items.get(keyText(shardItemKey(window, shardId)));
            return item?.kind === 'shard' ? fencedLateOf(item) : undefined;
          },
          isClosed: (windowKey) => closed.has(windowKey),
        },
        { allowedLatenessSeconds, nowMillis, cellIdOf: cellIdFor },
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
      // Logs the fingerprints of `eventIds` (events of `window`) that its recent ids lack.
      const log = (window: AggregateWindow, sequenceNumber: string, eventIds: readonly string[]) => {
        const windowKey = windowKeyOf(window);
        const recent = recentByWindow.get(windowKey);
        let entry = toLog.get(windowKey);
        for (const eventId of eventIds) {
          const fingerprint = fingerprintOf(eventId);
          if (recent?.has(fingerprint)) continue;
          if (entry === undefined) {
            entry = { window, first: sequenceNumber, ids: [] };
            toLog.set(windowKey, entry);
          }
          entry.ids.push(fingerprint);
        }
      };
      // What the plan neither writes nor counts late: events applied before (at or before their
      // cell's fence) and repeats. None in the steady state, so it costs nothing per event there.
      const settled =
        plan.duplicates + plan.repeated > 0 ? settledOf(observations, cellOf, plan, storedFenced) : [];
      for (const { observation: o, duplicate } of settled) {
        if (duplicate && o.eventId !== undefined) log(o.window, o.sequenceNumber, [o.eventId]);
      }

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
      // Events found applied or repeated are done only in a (window, shard) this store holds, so
      // it claims those windows too (see below). Not in a window that takes no more events: its
      // late counter has a fence of its own.
      const settledOpen = settled.filter(
        ({ observation: o }) =>
          !closed.has(windowKeyOf(o.window)) && !isPastLateness(o.window, allowedLatenessSeconds, nowMillis),
      );
      for (const { observation: o } of settledOpen) toClaim.set(windowKeyOf(o.window), o.window);
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

      // Settled by a view of the table whose history no one may continue: a store that cannot
      // claim judged them against pages it read, which may hold the late page of a timed-out
      // invocation that the holder's own history does not (a bisected retry ends before it). The
      // holder goes on from its history, so they are retried and it judges them.
      let { duplicates, repeated } = plan;
      for (const { observation: o, duplicate } of settledOpen) {
        if (holding.has(windowKeyOf(o.window))) continue;
        retry.push(o.sequenceNumber);
        if (duplicate) duplicates -= 1;
        else repeated -= 1;
      }
      const partials: PartialWrite[] = [];
      for (const write of plan.partialWrites) {
        if (holding.has(windowKeyOf(write.window))) partials.push(write);
        else retry.push(...write.sequenceNumbers);
      }
      // What is still not written after putBatch's own retries is retried by the next delivery.
      // Sealed subjects first: a partial that counts a chunk is put only once the chunk is stored.
      const expiresAt = (window: AggregateWindow) => endSeconds(window) + retentionSeconds;
      const puts = partials.map((write) =>
        sealSubjects(shardId, write, heldPartial(write.cellId), expiresAt(write.window)),
      );
      const chunked = await putBatch(
        client,
        tableName,
        puts.flatMap((put) => put.chunks.map((item) => ({ item, write: put.write }))),
        { ...options, concurrency },
      );
      const unsealed = new Set([...chunked.failed, ...chunked.refused].map((entry) => entry.write));
      const suffix = randomUUID().slice(0, 8);
      const { pages, compacting, oversized } = planPages(
        puts.filter((put) => !unsealed.has(put.write)),
        windows,
        stateByWindow,
        { shardId, suffix, nowMillis, expiresAt },
      );
      const { failed, refused } = await putBatch(client, tableName, pages, { ...options, concurrency });
      const lostPages = [...failed, ...refused];
      // A partial too big for a page is not written (the cell keeps its stored state); its events
      // are retried, and the ingest quarantines them when their retries run out.
      const notWritten = [
        ...lostPages.flatMap((page) => page.held.flatMap((h) => (h.value.put ? [h.value.put] : []))),
        ...puts.filter((put) => unsealed.has(put.write)),
        ...oversized,
      ];
      for (const { write } of notWritten) retry.push(...write.sequenceNumbers);
      // Keep every partial of a (window, shard) under the claim it was put under. A (window, shard)
      // with a page that may not have landed is forgotten, so the next batch reads its pages.
      const uncertain = new Set(lostPages.map((page) => page.windowKey));
      const lost = new Set(notWritten.map((n) => n.write));
      for (const page of pages) {
        if (uncertain.has(page.windowKey)) continue;
        const state = stateByWindow.get(page.windowKey) as PartialState;
        state.pages.set(page.item.sk, page.bytes);
        for (const { value, bytes } of page.held) {
          const fenced = value.put?.fenced ?? state.cells.get(value.entry.cellId)?.fenced;
          if (!fenced) continue;
          const cell = { entry: value.entry, fenced };
          state.cells.set(value.entry.cellId, { ...cell, bytes: wholeBytesOf(cell, bytes) });
        }
      }
      // A compaction deletes the older pages once all of the new ones are stored: until then, they
      // may hold the only copy of a partial. A page not deleted stays listed and is tried again.
      const deletions = [...compacting]
        .filter(([windowKey]) => !uncertain.has(windowKey))
        .flatMap(([windowKey, sortKeys]) =>
          sortKeys.map((sk) => ({
            windowKey,
            key: { pk: partialPk(windows.get(windowKey) as AggregateWindow, shardId), sk },
          })),
        );
      if (deletions.length > 0) {
        const undeleted = await writeBatch(client, tableName, deletions, (d) => ({ delete: d.key }), {
          concurrency,
          retry: retryBoundsOf(options.retry, options.retryEnvironment),
        });
        const kept = new Set([...undeleted.failed, ...undeleted.refused]);
        for (const d of deletions) if (!kept.has(d)) stateByWindow.get(d.windowKey)?.pages.delete(d.key.sk);
      }
      for (const [windowKey, window] of windows) {
        const key = keyText(shardItemKey(window, shardId));
        const claim = claims.get(key);
        const state = stateByWindow.get(windowKey) as PartialState;
        if (uncertain.has(windowKey) || claim === undefined || !holding.has(windowKey)) cache.delete(key);
        else cache.set(key, { claim, cells: state.cells, pages: state.pages });
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
        log(write.window, write.sequenceNumbers[0] as string, write.eventIds);
      }
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

      // Only a batch with late events needs their types.
      const typeBySequence =
        plan.lateWrites.length === 0
          ? new Map<string, string>()
          : new Map(observations.map((o) => [o.sequenceNumber, o.group.type]));
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
        duplicates,
        repeated,
        retry,
        lateByType,
        takeovers,
      };
    },
  };
}

// The observations a plan neither writes nor counts late: those it found applied by an earlier
// delivery (`duplicate`: at or before their cell's fence, as the planner decides first) or repeated.
function settledOf(
  observations: readonly Observation[],
  cellOf: readonly TouchedCell[],
  plan: ShardBatchPlan,
  storedFenced: (cellId: string) => FencedPartial | undefined,
): Array<{ observation: Observation; duplicate: boolean }> {
  const taken = new Set<string>();
  for (const write of plan.partialWrites) for (const sequence of write.sequenceNumbers) taken.add(sequence);
  for (const write of plan.lateWrites) for (const sequence of write.sequenceNumbers) taken.add(sequence);
  return observations.flatMap((observation, i) => {
    if (taken.has(observation.sequenceNumber)) return [];
    const fence = storedFenced((cellOf[i] as TouchedCell).cellId)?.lastSequenceNumber;
    return [{ observation, duplicate: fence !== undefined && !isAfter(observation.sequenceNumber, fence) }];
  });
}

// The window and shard items `prepare` began to read for a batch (`undefined`: the read failed).
interface ReadAhead {
  windowKeys: ReadonlySet<string>;
  items: Promise<Map<string, WindowItem | ShardItem> | undefined>;
}

// The read-ahead of `prepared`, when it is this store's, of this shard, and covers every window.
function readAheadOf(
  preparations: WeakMap<AggregatePreparation, ReadAhead>,
  shardId: string,
  windows: ReadonlyMap<string, AggregateWindow>,
  prepared: AggregatePreparation | undefined,
): ReadAhead['items'] | undefined {
  const ahead = prepared && prepared.shardId === shardId ? preparations.get(prepared) : undefined;
  if (ahead === undefined) return undefined;
  for (const windowKey of windows.keys()) if (!ahead.windowKeys.has(windowKey)) return undefined;
  // Used once: a second batch given the same preparation reads for itself.
  preparations.delete(prepared as AggregatePreparation);
  return ahead.items;
}

/** Every partial of one (window, shard), and its pages, as one batch sees them. */
type PartialState = Pick<HeldShard, 'cells' | 'pages'>;

/** A partial a batch puts on a page: a planned write's, or (compacting) a held one copied as it is. */
interface PageEntry {
  entry: PartialEntry;
  put?: SealedWrite;
}

/**
 * When a (window, shard)'s pages hold more than this many times the bytes of its partials, a
 * batch writes all of them again and deletes the older pages, so that what a takeover and the
 * closer read stays within this many times the partials (plus a batch). A safety net for long
 * windows, not a routine: DynamoDB bills a delete by the size of the item, so every compaction
 * costs about as many write units as the pages it deletes took to write. A 60-second window (the
 * default) gets at most 24 batches of 2,500 per shard, well under this, and never compacts.
 */
export const COMPACT_RATIO = 32;

// Every partial of a (window, shard) from its pages: each cell's entry with the greatest fence.
async function loadState(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
): Promise<PartialState> {
  const items = await readShardItems<PartialPageItem>(client, tableName, window, shardId, PAGE_SK_PREFIX);
  const decoded = items.map(decodePage);
  const cells = new Map<string, HeldPartial>();
  for (const [cellId, entry] of latestOf(decoded.map((page) => page.entries))) {
    cells.set(cellId, {
      entry,
      fenced: fencedPartialOf(entry),
      bytes: Buffer.byteLength(JSON.stringify(entry)),
    });
  }
  // A page's size is its JSON's, as the compaction trigger compares it with the entries' JSON.
  return { cells, pages: new Map(items.map((item, i) => [item.sk, decoded[i]?.bytes ?? 0])) };
}

// The pages a batch puts, per (window, shard), and the older pages to delete after them when the
// batch compacts a (window, shard).
function planPages(
  puts: readonly SealedWrite[],
  windows: ReadonlyMap<string, AggregateWindow>,
  stateByWindow: ReadonlyMap<string, PartialState>,
  batch: {
    shardId: string;
    suffix: string;
    nowMillis: number;
    expiresAt: (window: AggregateWindow) => number;
  },
) {
  const byWindow = new Map<string, SealedWrite[]>();
  for (const put of puts) {
    const windowKey = windowKeyOf(put.write.window);
    const list = byWindow.get(windowKey) ?? [];
    list.push(put);
    byWindow.set(windowKey, list);
  }
  const pages: Array<PageOf<PageEntry> & { windowKey: string }> = [];
  const compacting = new Map<string, string[]>();
  const oversized: SealedWrite[] = [];
  for (const [windowKey, inWindow] of byWindow) {
    const window = windows.get(windowKey) as AggregateWindow;
    const state = stateByWindow.get(windowKey) as PartialState;
    let pageBytes = 0;
    for (const bytes of state.pages.values()) pageBytes += bytes;
    let liveBytes = 0;
    for (const cell of state.cells.values()) liveBytes += cell.bytes;
    let first = inWindow[0]?.write.sequenceNumbers[0] as string;
    for (const put of inWindow) {
      const sequence = put.write.sequenceNumbers[0] as string;
      if (compareSequenceNumbers(sequence, first) < 0) first = sequence;
    }
    const pagesOf = (entries: readonly PageEntry[]) =>
      pageItemsOf(
        window,
        batch.shardId,
        first,
        batch.suffix,
        entries,
        batch.nowMillis,
        batch.expiresAt(window),
      );
    const delta = () => pagesOf(inWindow.map((put) => ({ entry: put.entry, put })));
    let paged: ReturnType<typeof delta> | undefined;
    if (state.pages.size > 1 && pageBytes > COMPACT_RATIO * liveBytes) {
      // The older pages go: every entry is put with all of its cell's unsealed subjects.
      const entries: PageEntry[] = inWindow.map((put) => ({ entry: wholeEntryOf(put), put }));
      const written = new Set(inWindow.map((put) => put.write.cellId));
      for (const cell of state.cells.values()) {
        if (!written.has(cell.entry.cellId)) entries.push({ entry: wholeEntryOf(cell) });
      }
      const whole = pagesOf(entries);
      // An entry that does not fit a page whole (a very long dimension value with many unsealed
      // subjects, or one written before pages were bounded by their JSON) is not on the new pages,
      // so deleting the older ones would lose what they hold of it: no compaction this batch.
      if (whole.oversized.length === 0) {
        paged = whole;
        compacting.set(windowKey, [...state.pages.keys()]);
      }
    }
    paged ??= delta();
    for (const page of paged.pages) pages.push({ ...page, windowKey });
    for (const { put } of paged.oversized) if (put) oversized.push(put);
  }
  return { pages, compacting, oversized };
}
