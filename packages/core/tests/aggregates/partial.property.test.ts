import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addObservations, EMPTY_PARTIAL, type Observation, windowOf } from '../../src/aggregates/index.ts';

const window = windowOf(Date.UTC(2026, 2, 1, 10, 0, 30), 60);
const group = { catalog: 'clinicbook', type: 'a.b', tenantId: 't', dimensions: {} };
// Short tokens from a small alphabet, so that batches often repeat stored subjects and each other;
// mixed case and a non-ASCII letter, so that the order is the code units' (Array.prototype.sort).
const token = fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', '_'), minLength: 1, maxLength: 3 });

function observation(i: number, subject: string | undefined, value: number): Observation {
  return {
    sequenceNumber: String(1_000 + i),
    window,
    group,
    ...(subject === undefined ? {} : { subject }),
    metrics: { waitDays: { value, bounds: [1, 7, 30] } },
  };
}

describe('addObservations', () => {
  it('holds the distinct subjects of the partial and the events, sorted, however many it already has', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(token, { maxLength: 40 }),
        fc.array(fc.tuple(fc.option(token, { nil: undefined }), fc.integer({ min: 0, max: 50 })), {
          maxLength: 30,
        }),
        (stored, events) => {
          const partial = { ...EMPTY_PARTIAL, count: stored.length, subjects: [...stored].sort() };
          const result = addObservations(
            partial,
            events.map(([subject, value], i) => observation(i, subject, value)),
          );
          const expected = [
            ...new Set([...stored, ...events.flatMap(([s]) => (s === undefined ? [] : [s]))]),
          ].sort();
          expect(result.subjects).toEqual(expected);
          expect(result.count).toBe(stored.length + events.length);
          expect(result.metrics.waitDays?.counts.reduce((a, b) => a + b, 0) ?? 0).toBe(events.length);
          // A batch that adds no subject shares the stored array; the stored partial is unchanged
          if (expected.length === stored.length) expect(result.subjects).toBe(partial.subjects);
          expect(partial.subjects).toEqual([...stored].sort());
        },
      ),
      { numRuns: 500 },
    );
  });
});
