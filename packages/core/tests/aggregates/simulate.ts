import fc from 'fast-check';
import {
  type AggregateGroup,
  addObservations,
  type CellPartial,
  cellIdOf,
  EMPTY_PARTIAL,
  type FencedLateCount,
  type FencedPartial,
  type Observation,
  type PartialAggregate,
  planShardBatch,
  windowKeyOf,
  windowOf,
} from '../../src/aggregates/index.ts';

/** Histogram bounds of the test metric. */
export const BOUNDS = [0, 1, 2, 3, 7, 14, 30] as const;

/** One shard's events, in sequence order, plus its id. */
export interface ShardEvents {
  shardId: string;
  events: Observation[];
}

const tenant = fc.constantFrom('t1', 't2');
const type = fc.constantFrom('appointment.booked', 'payment.completed');
const department = fc.constantFrom('cardiology', 'general');

/**
 * Shards of observations. Sequence numbers grow and cross a change of length (999 → 1000), the
 * case where comparing them as plain strings would go wrong.
 */
export const shardsArbitrary = fc
  .array(
    fc.array(
      fc.record({
        tenantId: tenant,
        type,
        department: fc.option(department, { nil: undefined }),
        subject: fc.integer({ min: 0, max: 14 }),
        minute: fc.integer({ min: 0, max: 2 }),
        waitDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        gap: fc.integer({ min: 1, max: 40 }),
      }),
      { maxLength: 30 },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((shards): ShardEvents[] =>
    shards.map((rows, shardIndex) => {
      let sequence = 950 + shardIndex;
      return {
        shardId: `shardId-00000000000${shardIndex}`,
        events: rows.map((row) => {
          sequence += row.gap;
          const group: AggregateGroup = {
            catalog: 'clinicbook',
            type: row.type,
            tenantId: row.tenantId,
            dimensions: row.department ? { department: row.department } : {},
          };
          const event: Observation = {
            sequenceNumber: String(sequence),
            window: windowOf(Date.UTC(2026, 2, 1, 10, row.minute, 30), 60),
            group,
            subject: `pat_${String(row.subject).padStart(26, '0')}`,
            metrics: row.waitDays === undefined ? {} : { waitDays: { value: row.waitDays, bounds: BOUNDS } },
          };
          return event;
        }),
      };
    }),
  );

/** The partials of one shard as stored: fenced partials by cell id, late counts by window key. */
export interface ShardStore {
  partials: Map<string, FencedPartial & { cell: Omit<CellPartial, 'partial'>; eventIds: Set<string> }>;
  late: Map<string, FencedLateCount>;
}

/** A fresh store for one shard. */
export function emptyStore(): ShardStore {
  return { partials: new Map(), late: new Map() };
}

/** What the ESM does on one delivery: the batch, how far the function got, which writes failed. */
export interface Delivery {
  /** First record of the batch (index into the shard's events; at most the checkpoint). */
  start: number;
  /** One past the last record of the batch. */
  end: number;
  /** Records from this index on failed before the aggregates step (for example the outbox write). */
  failedFrom: number;
  /** Writes that fail, by their position in the plan. */
  failedWrites: ReadonlySet<number>;
}

/**
 * One delivery through the planner, as the ingest handler does it: plan the processed prefix,
 * apply the writes that succeed, and return the new checkpoint (the lowest failed record).
 */
export function deliver(
  shard: ShardEvents,
  store: ShardStore,
  delivery: Delivery,
  options: {
    nowMillis: number;
    allowedLatenessSeconds: number;
    closed?: ReadonlySet<string>;
  },
): number {
  const batch = shard.events.slice(delivery.start, delivery.end);
  const processed = shard.events.slice(delivery.start, delivery.failedFrom);
  const plan = planShardBatch(
    processed,
    {
      partial: (cellId) => store.partials.get(cellId),
      late: (windowKey) => store.late.get(windowKey),
      isClosed: (windowKey) => options.closed?.has(windowKey) ?? false,
      holdsEvent: (cellId, eventId) => store.partials.get(cellId)?.eventIds.has(eventId) ?? false,
    },
    options,
  );
  const failedSequences = new Set<string>();
  const writes = [...plan.partialWrites, ...plan.lateWrites];
  writes.forEach((write, index) => {
    if (delivery.failedWrites.has(index)) {
      for (const sequence of write.sequenceNumbers) failedSequences.add(sequence);
      return;
    }
    if ('cellId' in write) {
      // One writer per shard: the fence is still the one that was read (else an update was lost).
      const current = store.partials.get(write.cellId)?.lastSequenceNumber;
      if (current !== write.previousSequenceNumber) throw new Error('lost update');
      // The ids go with the counts, in the same write.
      const eventIds = new Set([...(store.partials.get(write.cellId)?.eventIds ?? []), ...write.eventIds]);
      store.partials.set(write.cellId, {
        ...write.state,
        eventIds,
        cell: { cellId: write.cellId, window: write.window, group: write.group },
      });
    } else {
      store.late.set(write.windowKey, write.state);
    }
  });
  const failedIndex = batch.findIndex((event) => failedSequences.has(event.sequenceNumber));
  const lowestFailed =
    failedIndex === -1 ? delivery.failedFrom : Math.min(delivery.start + failedIndex, delivery.failedFrom);
  return lowestFailed;
}

/** Per cell, the aggregate of each event exactly once: the reference. */
export function reference(shards: readonly ShardEvents[]): Map<string, PartialAggregate> {
  const byCell = new Map<string, Observation[]>();
  for (const shard of shards) {
    for (const event of shard.events) {
      const cellId = cellIdOf(event.window, event.group);
      byCell.set(cellId, [...(byCell.get(cellId) ?? []), event]);
    }
  }
  return new Map([...byCell].map(([cellId, events]) => [cellId, addObservations(EMPTY_PARTIAL, events)]));
}

/** The stored partials of every shard as the closer reads them. */
export function storedPartials(stores: readonly ShardStore[]): CellPartial[] {
  return stores.flatMap((store) =>
    [...store.partials.values()].map((p) => ({ ...p.cell, partial: p.partial })),
  );
}

/** Window key of an event time, for closing windows in tests. */
export function windowKeyAt(minute: number): string {
  return windowKeyOf(windowOf(Date.UTC(2026, 2, 1, 10, minute, 30), 60));
}

// Never late: the events are in 2026-03-01, "now" is the epoch.
export const ON_TIME = { nowMillis: 0, allowedLatenessSeconds: 120 };

/** Random ESM behaviour: replays from before the checkpoint, partial failures, failed writes. */
export const chaos = fc.array(
  fc.record({
    rewind: fc.nat({ max: 10 }),
    size: fc.integer({ min: 1, max: 12 }),
    failAt: fc.option(fc.nat({ max: 12 }), { nil: undefined }),
    failedWrites: fc.uniqueArray(fc.nat({ max: 6 }), { maxLength: 3 }),
  }),
  { maxLength: 25 },
);

export function runShard(
  shard: Parameters<typeof deliver>[0],
  store: ShardStore,
  steps: ReadonlyArray<{ rewind: number; size: number; failAt: number | undefined; failedWrites: number[] }>,
  options: Parameters<typeof deliver>[3] = ON_TIME,
): number {
  let checkpoint = 0;
  let deliveries = 0;
  for (const step of steps) {
    if (checkpoint >= shard.events.length) break;
    const start = Math.max(0, checkpoint - step.rewind);
    const end = Math.min(shard.events.length, Math.max(checkpoint + 1, start + step.size));
    const failedFrom = step.failAt === undefined ? end : Math.min(end, start + step.failAt);
    const delivery: Delivery = { start, end, failedFrom, failedWrites: new Set(step.failedWrites) };
    // The ESM resumes from the lowest failed record (ReportBatchItemFailures) and never skips one.
    checkpoint = Math.max(checkpoint, deliver(shard, store, delivery, options));
    deliveries += 1;
  }
  // Then the failures stop, and the shard is read to its end.
  while (checkpoint < shard.events.length) {
    checkpoint = deliver(
      shard,
      store,
      {
        start: checkpoint,
        end: shard.events.length,
        failedFrom: shard.events.length,
        failedWrites: new Set(),
      },
      options,
    );
    deliveries += 1;
  }
  return deliveries;
}
