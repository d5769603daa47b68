import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeCellPartials,
  type Observation,
  type PartialAggregate,
  planShardBatch,
} from '../../src/aggregates/index.ts';
import {
  chaos,
  emptyStore,
  ON_TIME,
  reference,
  runShard,
  type ShardEvents,
  type ShardStore,
  shardsArbitrary,
  storedPartials,
} from './simulate.ts';

/**
 * Shards whose events have ids, plus producer repeats: copies of an earlier event of the same
 * shard (same id, same content) put again later, so with a later sequence number. Sequence
 * numbers are renumbered so that they stay ascending.
 */
const withRepeats = fc
  .tuple(
    shardsArbitrary,
    fc.array(fc.record({ at: fc.nat(), of: fc.nat() }), { maxLength: 12 }),
    fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }),
  )
  .map(([shards, repeats, gaps]) => {
    const unique: ShardEvents[] = [];
    const delivered: ShardEvents[] = [];
    shards.forEach((shard, s) => {
      const events = shard.events.map((e, i) => ({ ...e, eventId: `event-${s}-${i}` }));
      const stream: Observation[] = [...events];
      for (const { at, of } of repeats) {
        if (events.length === 0) break;
        const position = at % (stream.length + 1);
        const earlier = stream.slice(0, position);
        if (earlier.length === 0) continue;
        stream.splice(position, 0, earlier[of % earlier.length] as Observation);
      }
      let sequence = 980 + s;
      const renumbered = stream.map((e, i) => {
        sequence += gaps[i % gaps.length] as number;
        return { ...e, sequenceNumber: String(sequence) };
      });
      unique.push({ shardId: shard.shardId, events });
      delivered.push({ shardId: shard.shardId, events: renumbered });
    });
    return { unique, delivered };
  });

function asMap(partials: ReturnType<typeof mergeCellPartials>): Map<string, PartialAggregate> {
  return new Map(partials.map((cell) => [cell.cellId, cell.partial]));
}

describe('repeated events (property)', () => {
  it('a record whose event id came earlier in the batch or is held by the cell is dropped, once per record', () => {
    // Prepare
    const event = (sequenceNumber: string, eventId: string): Observation => ({
      sequenceNumber,
      eventId,
      window: { startMillis: 0, seconds: 60 },
      group: { catalog: 'c', type: 't', tenantId: 'x', dimensions: {} },
      metrics: {},
    });
    const batch = [event('1', 'a'), event('2', 'b'), event('3', 'a'), event('4', 'c')];

    // Act
    const plan = planShardBatch(
      batch,
      {
        partial: () => undefined,
        late: () => undefined,
        isClosed: () => false,
        holdsEvent: (_cell, id) => id === 'c',
      },
      { nowMillis: 0, allowedLatenessSeconds: 120 },
    );

    // Assess
    expect(plan.repeated).toBe(2);
    expect(plan.partialWrites.flatMap((w) => w.eventIds)).toEqual(['a', 'b']);
    expect(plan.partialWrites.flatMap((w) => w.sequenceNumbers)).toEqual(['1', '2']);
  });

  it('count once however often a producer repeats them and however the shard is redelivered', () => {
    fc.assert(
      fc.property(withRepeats, fc.array(chaos, { minLength: 3, maxLength: 3 }), (streams, chaosPerShard) => {
        // Prepare
        const stores = streams.delivered.map(() => emptyStore());

        // Act
        streams.delivered.forEach((shard, i) => {
          runShard(shard, stores[i] as ShardStore, chaosPerShard[i] ?? [], ON_TIME);
        });

        // Assess
        expect(asMap(mergeCellPartials(storedPartials(stores)))).toEqual(reference(streams.unique));
      }),
      { numRuns: 300 },
    );
  });
});
