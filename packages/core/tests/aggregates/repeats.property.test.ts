import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dropRepeatedEvents,
  type EventClaim,
  mergeCellPartials,
  type Observation,
  type PartialAggregate,
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
  it('count once however often a producer repeats them and however the shard is redelivered', () => {
    fc.assert(
      fc.property(withRepeats, fc.array(chaos, { minLength: 3, maxLength: 3 }), (streams, chaosPerShard) => {
        // Prepare
        const stores = streams.delivered.map(() => emptyStore());
        const claims = new Map<string, EventClaim>();

        // Act
        streams.delivered.forEach((shard, i) => {
          runShard(shard, stores[i] as ShardStore, chaosPerShard[i] ?? [], { ...ON_TIME, claims });
        });

        // Assess
        expect(asMap(mergeCellPartials(storedPartials(stores)))).toEqual(reference(streams.unique));
      }),
      { numRuns: 300 },
    );
  });
});

describe('dropRepeatedEvents', () => {
  const event = (sequenceNumber: string, eventId?: string): Observation => ({
    sequenceNumber,
    ...(eventId === undefined ? {} : { eventId }),
    window: { startMillis: 0, seconds: 60 },
    group: { catalog: 'c', type: 't', tenantId: 'x', dimensions: {} },
    metrics: {},
  });

  it('keeps the first record of an id in a batch and claims it', () => {
    // Act
    const result = dropRepeatedEvents(
      [event('1', 'a'), event('2', 'b'), event('3', 'a')],
      'shard-1',
      () => undefined,
    );

    // Assess
    expect(result.kept.map((o) => o.sequenceNumber)).toEqual(['1', '2']);
    expect(result.toClaim.map((o) => o.sequenceNumber)).toEqual(['1', '2']);
    expect(result.repeated).toBe(1);
  });

  it('keeps a redelivered record that holds the claim, and drops a record of another shard or sequence', () => {
    // Prepare
    const claims = new Map<string, EventClaim>([
      ['a', { shardId: 'shard-1', sequenceNumber: '5' }],
      ['b', { shardId: 'shard-2', sequenceNumber: '6' }],
      ['c', { shardId: 'shard-1', sequenceNumber: '4' }],
    ]);

    // Act
    const result = dropRepeatedEvents(
      [event('5', 'a'), event('6', 'b'), event('7', 'c'), event('8')],
      'shard-1',
      (id) => claims.get(id),
    );

    // Assess
    expect(result.kept.map((o) => o.sequenceNumber)).toEqual(['5', '8']);
    expect(result.toClaim).toEqual([]);
    expect(result.repeated).toBe(2);
  });
});
