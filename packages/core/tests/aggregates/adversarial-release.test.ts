import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addObservations,
  type CellPartial,
  cellIdOf,
  coarsenMetric,
  createKeyedRandom,
  EMPTY_PARTIAL,
  mergeCellPartials,
  type NoiseOptions,
  type Observation,
  type PartialAggregate,
  releaseCells,
  sampleDiscreteLaplace,
  windowOf,
} from '../../src/aggregates/index.ts';
import { AggregateCellSchema } from '../../src/model/outbox.ts';

// Release logic driven with crafted partials, as an adversary would wish them to be.

const BOUNDS = [0, 1, 2, 3, 7, 14, 30, 60, 90];
const RANGE = { lower: 0, upper: 3650 };
const window = windowOf(Date.UTC(2026, 2, 1, 10, 0), 60);
const group = (department = 'cardiology') => ({
  catalog: 'clinicbook',
  type: 'appointment.booked',
  tenantId: 'dhk-mirpur-01',
  dimensions: { department, channel: 'app' },
});
const token = (i: number) => `pat_${String(i).padStart(26, '0')}`;

/** A cell of one event per (subject, value); `values[i]` are subject i's wait days. */
function cellOf(values: ReadonlyArray<readonly number[]>, department = 'cardiology'): CellPartial {
  const g = group(department);
  const events: Observation[] = values.flatMap((perSubject, s) =>
    perSubject.map((value, e) => ({
      sequenceNumber: String(1000 + s * 100 + e),
      window,
      group: g,
      subject: token(s),
      metrics: { waitDays: { value, bounds: BOUNDS } },
    })),
  );
  return { cellId: cellIdOf(window, g), window, group: g, partial: addObservations(EMPTY_PARTIAL, events) };
}

const noise = (epsilon: number, seed = 's'.repeat(32)): NoiseOptions => ({
  epsilon,
  randomFor: (cellId) => createKeyedRandom(Buffer.from(seed), cellId),
  metricRange: () => RANGE,
});

const released = (cells: CellPartial[], k = 10) =>
  releaseCells(cells, { k, metricRange: () => RANGE }).released;

describe('adversarial release: the k threshold counts distinct subjects', () => {
  it('suppresses k - 1 subjects with hundreds of events each', () => {
    const cell = cellOf(Array.from({ length: 9 }, () => Array.from({ length: 300 }, () => 5)));
    const release = releaseCells([cell], { k: 10 });
    expect(release.released).toEqual([]);
    expect(release.suppressedEvents).toBe(2700);
  });

  it('does not double count a subject seen by several shards (merged union, not sum)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8], { minLength: 1 }), { minLength: 2 }),
        (shards) => {
          // Prepare: every shard holds some of the same 9 subjects, with several events each
          const base = cellOf([[1]]);
          const partials = shards.map((ids, shard) => ({
            ...base,
            partial: { count: ids.length * (shard + 2), subjects: ids.map(token).sort(), metrics: {} },
          }));

          // Act
          const merged = mergeCellPartials(partials);
          const release = releaseCells(merged, { k: 10 });

          // Assess
          expect(merged).toHaveLength(1);
          expect(release.released).toEqual([]);
          expect(release.suppressedCells).toBe(1);
        },
      ),
    );
  });

  it('does not pass k on a stored partial that repeats a token', () => {
    // Prepare: 9 distinct tokens, one written twice (a corrupted or replayed subjects chunk)
    const cell = cellOf(Array.from({ length: 9 }, () => [5]));
    const subjects = [...cell.partial.subjects, token(3)].sort();
    const forged: CellPartial = { ...cell, partial: { ...cell.partial, subjects } };

    // Act
    const alone = releaseCells([forged], { k: 10 });
    const merged = releaseCells(mergeCellPartials([forged, forged]), { k: 10 });

    // Assess
    expect(alone.released).toEqual([]);
    expect(merged.released).toEqual([]);
    const ok = releaseCells(
      [{ ...forged, partial: { ...forged.partial, subjects: [...subjects, token(99)] } }],
      {
        k: 10,
      },
    );
    expect(ok.released[0]?.distinctSubjects).toBe(10);
  });
});

describe('adversarial release: nothing inside a released cell singles out a subject', () => {
  it('never releases the outlier subject value as max, nor the lowest as min', () => {
    // Prepare: 10 subjects wait 5 days, one waits 2917 days
    const cell = cellOf([...Array.from({ length: 10 }, () => [5]), [2917]]);

    // Act
    const [out] = released([cell]);

    // Assess
    const waitDays = out?.metrics.waitDays;
    expect(waitDays?.max).not.toBe(2917);
    expect(waitDays?.min).not.toBe(5);
    expect(JSON.stringify(out)).not.toContain('2917');
    expect(AggregateCellSchema.parse(out)).toEqual(out);
  });

  it('merges a histogram bucket of one subject into its neighbours', () => {
    // Prepare: 12 subjects at 0 days, one at 75 days (bucket (60, 90])
    const cell = cellOf([...Array.from({ length: 12 }, () => [0]), [75]]);

    // Act
    const [out] = released([cell]);

    // Assess: every non-empty bucket holds at least k subjects
    const waitDays = out?.metrics.waitDays;
    expect(waitDays?.counts.filter((n) => n > 0 && n < 10)).toEqual([]);
    expect(waitDays?.counts.reduce((a, b) => a + b, 0)).toBe(13);
    expect(waitDays?.counts).toHaveLength((waitDays?.bounds.length ?? 0) + 1);
  });

  it('counts repeat events against a bucket: 10 events of one subject are not 10 subjects', () => {
    // Prepare: 10 subjects at 0 days; subject 10 books 10 times at 75 days
    const cell = cellOf([...Array.from({ length: 10 }, () => [0]), Array.from({ length: 10 }, () => 75)]);

    // Act
    const [out] = released([cell]);

    // Assess: no bucket of the outlier's 10 events on their own
    const waitDays = out?.metrics.waitDays;
    expect(waitDays?.counts).toEqual([20, 0]);
    expect(waitDays?.bounds).toEqual([90]);
    expect(waitDays?.max).toBe(90);
  });

  it('drops a metric that fewer than k subjects carry (its sum would be theirs)', () => {
    // Prepare: 12 subjects, only 2 with wait days
    const withMetric = cellOf([[40], [41]]);
    const without: PartialAggregate = {
      count: 10,
      subjects: Array.from({ length: 10 }, (_, i) => token(100 + i)),
      metrics: {},
    };
    const cell: CellPartial = {
      ...withMetric,
      partial: {
        count: 12,
        subjects: [...withMetric.partial.subjects, ...without.subjects].sort(),
        metrics: withMetric.partial.metrics,
      },
    };

    // Act
    const [out] = released([cell]);

    // Assess
    expect(out?.distinctSubjects).toBe(12);
    expect(out?.metrics).toEqual({});
  });

  it('law: every released bucket provably holds k subjects, and min/max are bucket edges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 3650 }), { minLength: 1, maxLength: 4 }), {
          minLength: 10,
          maxLength: 40,
        }),
        fc.integer({ min: 2, max: 10 }),
        (values, k) => {
          const cell = cellOf(values);
          const summary = cell.partial.metrics.waitDays;
          if (!summary) throw new Error('no metric');
          const size = { count: cell.partial.count, distinctSubjects: values.length };

          const out = coarsenMetric(summary, size, k, RANGE);

          // Assess against the truth: distinct subjects per released bucket
          if (!out) return;
          const edges = [RANGE.lower - 1, ...out.bounds, Number.POSITIVE_INFINITY];
          out.counts.forEach((n, b) => {
            const inBucket = values.filter((vs) =>
              vs.some((v) => v > (edges[b] as number) && v <= (edges[b + 1] as number)),
            );
            expect(n === 0 || inBucket.length >= k).toBe(true);
          });
          expect(out.counts.reduce((a, b) => a + b, 0)).toBe(cell.partial.count);
          expect(out.bounds.every((b) => BOUNDS.includes(b))).toBe(true);
          expect([RANGE.lower, RANGE.upper, ...BOUNDS]).toContain(out.min);
          expect([RANGE.lower, RANGE.upper, ...BOUNDS]).toContain(out.max);
          expect(out.min).toBeLessThanOrEqual(Math.min(...values.flat()));
          expect(out.max).toBeGreaterThanOrEqual(Math.max(...values.flat()));
        },
      ),
    );
  });
});

describe('adversarial release: suppressed cells do not cross', () => {
  it('released cells carry nothing of a suppressed cell (no id, no dimension value, no totals)', () => {
    // Prepare: a released cell and a suppressed one with a distinctive dimension value
    const big = cellOf(Array.from({ length: 15 }, (_, i) => [i]));
    const small = cellOf([[3], [4]], 'oncology');

    // Act
    const release = releaseCells([big, small], { k: 10 });

    // Assess
    const wire = JSON.stringify(release.released);
    expect(release.released).toHaveLength(1);
    expect(wire).not.toContain('oncology');
    expect(wire).not.toContain(small.cellId);
    expect(Object.keys(release.released[0] ?? {}).sort()).toEqual(
      Object.keys(AggregateCellSchema.shape).sort(),
    );
  });
});

describe('adversarial release: noise', () => {
  it('counts are non-negative integers and sums differ from the exact sum by an integer, for any seed', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 32, maxLength: 32 }),
        fc.double({ min: 0.01, max: 4, noNaN: true }),
        (seed, epsilon) => {
          const cell = cellOf(Array.from({ length: 10 }, (_, i) => [i % 2]));
          const [out] = releaseCells([cell], { k: 10, noise: noise(epsilon, seed) }).released;
          const m = out?.metrics.waitDays;
          for (const n of [out?.count, out?.distinctSubjects, ...(m?.counts ?? [])]) {
            expect(Number.isSafeInteger(n) && (n as number) >= 0).toBe(true);
          }
          expect(Number.isSafeInteger((m?.sum ?? 0.5) - (cell.partial.metrics.waitDays?.sum ?? 0))).toBe(
            true,
          );
          expect(AggregateCellSchema.safeParse(out).success).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the sampler matches the exact discrete Laplace pmf at a non-integer scale (fixed seed, 6σ margins)', () => {
    // Prepare: scale t/s = 7/3, P(x) = (1 - p) / (1 + p) · p^|x| with p = exp(-3/7)
    const random = createKeyedRandom(Buffer.from('pmf-'.repeat(8)), 'scale-7/3');
    const n = 60_000;
    const seen = new Map<number, number>();

    // Act
    for (let i = 0; i < n; i++) {
      const x = sampleDiscreteLaplace({ numerator: 7, denominator: 3 }, random);
      seen.set(x, (seen.get(x) ?? 0) + 1);
    }

    // Assess
    const p = Math.exp(-3 / 7);
    for (const x of [-3, -2, -1, 0, 1, 2, 3]) {
      const expected = ((1 - p) / (1 + p)) * p ** Math.abs(x);
      const sigma = Math.sqrt((expected * (1 - expected)) / n);
      expect(Math.abs((seen.get(x) ?? 0) / n - expected)).toBeLessThan(6 * sigma);
    }
  });

  it('a retry with the same seed cannot be averaged: identical noise on every attempt', () => {
    const cell = cellOf(Array.from({ length: 20 }, (_, i) => [i]));
    const attempts = Array.from(
      { length: 5 },
      () => releaseCells([cell], { k: 10, noise: noise(0.2) }).released,
    );
    for (const attempt of attempts) expect(attempt).toEqual(attempts[0]);
  });

  it('no Math.random in the release path (the noise draws come from HMAC of a CSPRNG seed)', () => {
    const root = join(import.meta.dirname, '../../src/aggregates');
    const closer = join(import.meta.dirname, '../../../pipeline/src/closer');
    for (const dir of [root, closer]) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/Math\.random/);
      }
    }
  });
});
