import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AggregateConfigurationError,
  addObservations,
  assertNoiseDrawable,
  type CellPartial,
  cellIdOf,
  createKeyedRandom,
  EMPTY_PARTIAL,
  type NoiseOptions,
  type Observation,
  releaseCells,
  windowOf,
} from '../../src/aggregates/index.ts';
import { AggregateCellSchema } from '../../src/model/outbox.ts';
import { BOUNDS } from './simulate.ts';

const window = windowOf(Date.UTC(2026, 2, 1, 10, 0), 60);
const group = {
  catalog: 'clinicbook',
  type: 'appointment.booked',
  tenantId: 'dhk-mirpur-01',
  dimensions: { department: 'cardiology', channel: 'app' },
};

/** A cell with `subjects` distinct patients and `perSubject` events each. */
function cellWith(subjects: number, perSubject = 1): CellPartial {
  const events: Observation[] = [];
  for (let s = 0; s < subjects; s++) {
    for (let e = 0; e < perSubject; e++) {
      events.push({
        sequenceNumber: String(1000 + s * 10 + e),
        window,
        group,
        subject: `pat_${String(s).padStart(26, '0')}`,
        metrics: { waitDays: { value: (s * 7 + e) % 40, bounds: BOUNDS } },
      });
    }
  }
  return cellOf(events);
}

/** The cell of these observations (all of `window` and `group`). */
function cellOf(events: readonly Observation[]): CellPartial {
  return { cellId: cellIdOf(window, group), window, group, partial: addObservations(EMPTY_PARTIAL, events) };
}

const noise = (epsilon: number, seed = 'a'.repeat(32)): NoiseOptions => ({
  epsilon,
  randomFor: (cellId) => createKeyedRandom(Buffer.from(seed), cellId),
  metricRange: () => ({ lower: 0, upper: 3650 }),
});

describe('releaseCells: k threshold', () => {
  it('never releases a cell with k - 1 distinct subjects, however many events it has', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), (k, perSubject) => {
        // Prepare
        const cell = cellWith(k - 1, perSubject);

        // Act
        const release = releaseCells([cell], { k });

        // Assess
        expect(release.released).toEqual([]);
        expect(release.suppressedCells).toBe(1);
        expect(release.suppressedEvents).toBe((k - 1) * perSubject);
      }),
    );
  });

  it('releases a cell with exactly k distinct subjects', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (k) => {
        // Prepare
        const cell = cellWith(k, 2);

        // Act
        const release = releaseCells([cell], { k });

        // Assess
        expect(release.suppressedCells).toBe(0);
        expect(release.released).toHaveLength(1);
        expect(release.released[0]?.distinctSubjects).toBe(k);
        expect(release.released[0]?.count).toBe(2 * k);
      }),
    );
  });

  it('suppresses on the exact count even when noise is on (k - 1 never leaves)', () => {
    // Act
    const release = releaseCells([cellWith(9)], { k: 10, noise: noise(0.1) });

    // Assess
    expect(release.released).toEqual([]);
    expect(release.suppressedCells).toBe(1);
  });
});

describe('releaseCells: released cells', () => {
  it('pass the strict aggregate cell schema, with exact values and a stable cell id', () => {
    // Prepare
    const cell = cellWith(12);

    // Act
    const [released] = releaseCells([cell], { k: 10 }).released;

    // Assess
    expect(AggregateCellSchema.parse(released)).toEqual(released);
    expect(released).toMatchObject({
      cellId: cellIdOf(window, group),
      windowStart: '2026-03-01T10:00:00.000Z',
      windowSeconds: 60,
      dimensions: { department: 'cardiology', channel: 'app' },
      count: 12,
      distinctSubjects: 12,
      privacy: { k: 10 },
    });
    const waitDays = released?.metrics.waitDays;
    expect(waitDays?.counts.reduce((a, b) => a + b, 0)).toBe(12);
    // Coarsened (no bucket of fewer than k subjects), so fewer buckets than the catalog's.
    expect(waitDays?.counts).toHaveLength((waitDays?.bounds.length ?? 0) + 1);
    expect(waitDays?.counts.every((n) => n === 0 || n >= 10)).toBe(true);
    expect(cellIdOf(window, { ...group, dimensions: { channel: 'app', department: 'cardiology' } })).toBe(
      released?.cellId,
    );
  });

  it('with noise: integer values, the same noise on a retried release, the schema still holds', () => {
    // Prepare
    const cells = [cellWith(15, 3)];

    // Act
    const first = releaseCells(cells, { k: 10, noise: noise(1) });
    const retried = releaseCells(cells, { k: 10, noise: noise(1) });
    const otherSeed = releaseCells(cells, { k: 10, noise: noise(1, 'b'.repeat(32)) });

    // Assess
    const [cell] = first.released;
    expect(retried.released).toEqual(first.released);
    expect(otherSeed.released).not.toEqual(first.released);
    expect(AggregateCellSchema.parse(cell)).toEqual(cell);
    expect(cell?.privacy).toEqual({ k: 10, epsilon: 1 });
    for (const value of [cell?.count, cell?.distinctSubjects, ...(cell?.metrics.waitDays?.counts ?? [])]) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(
      Number.isInteger((cell?.metrics.waitDays?.sum ?? 0.5) - cellWith(15, 3).partial.metrics.waitDays!.sum),
    ).toBe(true);
  });

  it("with noise, a sum of decimals is released whole: its fraction is not one person's", () => {
    // Prepare: eleven subjects at 37 and one at 38.6; without rounding the fraction .6 comes out exact
    const events: Observation[] = Array.from({ length: 12 }, (_, s) => ({
      sequenceNumber: String(1000 + s),
      window,
      group,
      subject: `pat_${String(s).padStart(26, '0')}`,
      metrics: { temp: { value: s === 0 ? 38.6 : 37, bounds: [36, 37, 38, 39] } },
    }));
    const cell = cellOf(events);
    expect(Number.isInteger(cell.partial.metrics.temp!.sum)).toBe(false);
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      // Act
      const [released] = releaseCells([cell], {
        k: 10,
        noise: { ...noise(1, seed.repeat(32)), metricRange: () => ({ lower: 30, upper: 45 }) },
      }).released;
      // Assess
      expect(Number.isInteger(released?.metrics.temp?.sum)).toBe(true);
    }
  });

  it('with noise, leaves out a metric fewer than k subjects carry: its presence is not noised', () => {
    // Prepare: ten subjects with waitDays, one of whom also has a rare optional metric
    const events: Observation[] = Array.from({ length: 10 }, (_, s) => ({
      sequenceNumber: String(1000 + s),
      window,
      group,
      subject: `pat_${String(s).padStart(26, '0')}`,
      metrics: {
        waitDays: { value: s, bounds: BOUNDS },
        ...(s === 0 ? { rare: { value: 3, bounds: BOUNDS } } : {}),
      },
    }));
    const cell = cellOf(events);
    // Act
    const [released] = releaseCells([cell], { k: 10, noise: { ...noise(1), metricCount: () => 2 } }).released;
    // Assess
    expect(Object.keys(released?.metrics ?? {})).toEqual(['waitDays']);
  });

  it('refuses, before any release, an epsilon whose noise the sampler cannot draw', () => {
    const ranges = new Map([['amount', { lower: 0, upper: 100_000_000 }]]);
    expect(() => assertNoiseDrawable(1, 'payment', ranges)).not.toThrow();
    expect(() => assertNoiseDrawable(0.000123, 'payment', ranges)).toThrow(AggregateConfigurationError);
    expect(() => assertNoiseDrawable(0.0000001, 'payment', new Map())).toThrow(AggregateConfigurationError);
    expect(() => assertNoiseDrawable(1, 'payment', new Map([['amount', { lower: 0, upper: 1e15 }]]))).toThrow(
      /amount/,
    );
  });

  it('refuses noise on a metric without a value range', () => {
    const options = { k: 1, noise: { ...noise(1), metricRange: () => undefined } };
    expect(() => releaseCells([cellWith(3)], options)).toThrow(/value range/);
  });
});
