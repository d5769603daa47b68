import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFenced,
  compareSequenceNumbers,
  mergeCellPartials,
  type PartialAggregate,
} from '../../src/aggregates/index.ts';
import {
  chaos,
  deliver,
  emptyStore,
  ON_TIME,
  reference,
  runShard,
  type ShardStore,
  shardsArbitrary,
  storedPartials,
  windowKeyAt,
} from './simulate.ts';

function asMap(partials: ReturnType<typeof mergeCellPartials>): Map<string, PartialAggregate> {
  return new Map(partials.map((cell) => [cell.cellId, cell.partial]));
}

describe('fenced partials (property)', () => {
  it('equal the exactly-once reference under redelivery, partial batch failures and failed writes', () => {
    fc.assert(
      fc.property(
        shardsArbitrary,
        fc.array(chaos, { minLength: 3, maxLength: 3 }),
        (shards, chaosPerShard) => {
          // Prepare
          const stores = shards.map(() => emptyStore());

          // Act
          shards.forEach((shard, i) => {
            runShard(shard, stores[i] as ShardStore, chaosPerShard[i] ?? []);
          });

          // Assess
          expect(asMap(mergeCellPartials(storedPartials(stores)))).toEqual(reference(shards));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('do not change when a shard range is replayed again, in any batches', () => {
    fc.assert(
      fc.property(
        shardsArbitrary,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 10 }),
        (shards, a, b, size) => {
          // Prepare
          const stores = shards.map(() => emptyStore());
          shards.forEach((shard, i) => {
            runShard(shard, stores[i] as ShardStore, []);
          });
          const before = asMap(mergeCellPartials(storedPartials(stores)));

          // Act: replay [from, to) of every shard, in batches of `size`
          shards.forEach((shard, i) => {
            const n = shard.events.length;
            const from = n === 0 ? 0 : a % n;
            const to = n === 0 ? 0 : from + (b % (n - from + 1));
            for (let start = from; start < to; start += size) {
              const end = Math.min(to, start + size);
              deliver(
                shard,
                stores[i] as ShardStore,
                { start, end, failedFrom: end, failedWrites: new Set() },
                ON_TIME,
              );
            }
          });

          // Assess
          expect(asMap(mergeCellPartials(storedPartials(stores)))).toEqual(before);
          expect(before).toEqual(reference(shards));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('merge to the same cells whatever the order of the shards and their partials', () => {
    fc.assert(
      fc.property(shardsArbitrary, fc.array(fc.nat()), (shards, keys) => {
        // Prepare
        const stores = shards.map(() => emptyStore());
        shards.forEach((shard, i) => {
          runShard(shard, stores[i] as ShardStore, []);
        });
        const partials = storedPartials(stores);
        const shuffled = partials
          .map((p, i) => ({ p, key: keys[i % Math.max(1, keys.length)] ?? i, i }))
          .sort((x, y) => x.key - y.key || y.i - x.i)
          .map(({ p }) => p);

        // Act
        const merged = mergeCellPartials(shuffled);

        // Assess
        expect(merged).toEqual(mergeCellPartials(partials));
      }),
      { numRuns: 200 },
    );
  });

  it('count late events once, however often they are redelivered, and never apply them', () => {
    fc.assert(
      fc.property(shardsArbitrary, chaos, (shards, steps) => {
        // Prepare: minute 1 is closed; everything else is on time
        const closed = new Set([windowKeyAt(1)]);
        const options = { ...ON_TIME, closed };
        const shard = shards[0];
        if (!shard) return;
        const store = emptyStore();

        // Act
        runShard(shard, store, steps, options);
        runShard(shard, store, [], options);

        // Assess
        const lateEvents = shard.events.filter((e) => e.window.startMillis === Date.UTC(2026, 2, 1, 10, 1));
        expect(store.late.get(windowKeyAt(1))?.count ?? 0).toBe(lateEvents.length);
        const onTime = { ...shard, events: shard.events.filter((e) => !lateEvents.includes(e)) };
        expect(asMap(mergeCellPartials(storedPartials([store])))).toEqual(reference([onTime]));
      }),
      { numRuns: 200 },
    );
  });
});

describe('applyFenced', () => {
  it('applies only the events after the fence', () => {
    // Prepare
    const event = (sequenceNumber: string) => ({
      sequenceNumber,
      window: { startMillis: 0, seconds: 60 },
      group: { catalog: 'c', type: 't', tenantId: 'x', dimensions: {} },
      subject: `s${sequenceNumber}`,
      metrics: {},
    });
    const first = applyFenced(undefined, [event('998'), event('999')]);

    // Act
    const again = applyFenced(first.state, [event('999'), event('1000')]);

    // Assess
    expect(again.applied).toEqual(['1000']);
    expect(again.duplicates).toBe(1);
    expect(again.state?.partial.count).toBe(3);
    expect(again.state?.lastSequenceNumber).toBe('1000');
  });

  it('refuses events out of sequence order', () => {
    const event = {
      sequenceNumber: '5',
      window: { startMillis: 0, seconds: 60 },
      group: { catalog: 'c', type: 't', tenantId: 'x', dimensions: {} },
      metrics: {},
    };
    expect(() => applyFenced(undefined, [event, { ...event, sequenceNumber: '4' }])).toThrow(/ascending/);
  });
});

describe('compareSequenceNumbers', () => {
  it('orders by numeric value, not by string', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 60n }),
        fc.bigInt({ min: 0n, max: 10n ** 60n }),
        (a, b) => {
          expect(compareSequenceNumbers(String(a), String(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
        },
      ),
    );
  });
});
