import {
  type AggregateWindow,
  type CellPartial,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  type FencedLateCount,
  type FencedPartial,
  planShardBatch,
  windowKeyOf,
} from '@residency/core/aggregates';
import type {
  AggregatePort,
  CloseFailure,
  EpsilonLedgerEntry,
  WindowCloseSummary,
  WindowStore,
} from '../ports.ts';

/** The aggregates in memory: both the ingest's port and the closer's store, over one state. */
export interface InMemoryAggregates extends AggregatePort, WindowStore {
  /** Closed windows and what they released, by window key. */
  readonly closed: ReadonlyMap<string, WindowCloseSummary>;
}

/** Creates {@link InMemoryAggregates}. Same repeat filter, planner and fences as the DynamoDB adapter. */
export function createInMemoryAggregates(
  options: { allowedLatenessSeconds?: number } = {},
): InMemoryAggregates {
  const allowedLatenessSeconds = options.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS;
  const partials = new Map<
    string,
    FencedPartial & { cell: Omit<CellPartial, 'partial'>; shardId: string; eventIds: Set<string> }
  >();
  const late = new Map<string, FencedLateCount>();
  const open = new Map<string, AggregateWindow>();
  const shards = new Map<string, Set<string>>();
  const ledgers = new Map<string, EpsilonLedgerEntry>();
  const closed = new Map<string, WindowCloseSummary>();
  const failures = new Map<string, CloseFailure>();
  return {
    closed,
    async apply(shardId, observations, { nowMillis }) {
      const plan = planShardBatch(
        observations,
        {
          partial: (cellId) => partials.get(`${shardId}\n${cellId}`),
          late: (windowKey) => late.get(`${shardId}\n${windowKey}`),
          isClosed: (windowKey) => closed.has(windowKey),
          holdsEvent: (cellId, eventId) =>
            partials.get(`${shardId}\n${cellId}`)?.eventIds.has(eventId) ?? false,
        },
        { allowedLatenessSeconds, nowMillis },
      );
      for (const window of plan.openWindows) {
        const key = windowKeyOf(window);
        open.set(key, window);
        shards.set(key, (shards.get(key) ?? new Set()).add(shardId));
      }
      for (const write of plan.partialWrites) {
        const key = `${shardId}\n${write.cellId}`;
        partials.set(key, {
          ...write.state,
          eventIds: new Set([...(partials.get(key)?.eventIds ?? []), ...write.eventIds]),
          shardId,
          cell: { cellId: write.cellId, window: write.window, group: write.group },
        });
      }
      const lateByType: Record<string, number> = {};
      const types = new Map(observations.map((o) => [o.sequenceNumber, o.group.type]));
      for (const write of plan.lateWrites) {
        late.set(`${shardId}\n${write.windowKey}`, write.state);
        for (const s of write.sequenceNumbers) {
          const type = types.get(s) ?? 'unknown';
          lateByType[type] = (lateByType[type] ?? 0) + 1;
        }
      }
      return {
        applied: plan.applied,
        late: plan.late,
        duplicates: plan.duplicates,
        repeated: plan.repeated,
        retry: [],
        lateByType,
      };
    },
    async listOpenWindows() {
      return [...open]
        .map(([key, window]) => ({ ...window, ...failures.get(key) }))
        .sort((a, b) => a.startMillis - b.startMillis);
    },
    async readWindow(window) {
      const key = windowKeyOf(window);
      const ids = [...(shards.get(key) ?? [])].sort();
      let lateEvents = 0;
      for (const [k, v] of late) if (k.endsWith(`\n${key}`)) lateEvents += v.count;
      return {
        status: closed.has(key) ? 'closed' : open.has(key) ? 'open' : 'missing',
        shardIds: ids,
        lateEvents,
      };
    },
    async readPartials(window, shardIds) {
      const key = windowKeyOf(window);
      return [...partials.values()]
        .filter((p) => windowKeyOf(p.cell.window) === key && shardIds.includes(p.shardId))
        .map((p) => ({ ...p.cell, partial: p.partial }));
    },
    async recordLedger(window, entry) {
      const key = windowKeyOf(window);
      const stored = ledgers.get(key) ?? entry;
      ledgers.set(key, stored);
      return stored;
    },
    async markClosed(window, summary) {
      closed.set(windowKeyOf(window), summary);
    },
    async removeOpen(window) {
      open.delete(windowKeyOf(window));
      failures.delete(windowKeyOf(window));
    },
    async recordCloseFailure(window, failure) {
      const key = windowKeyOf(window);
      if (open.has(key)) failures.set(key, { ...failure });
    },
  };
}
