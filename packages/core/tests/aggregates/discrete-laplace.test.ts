import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulliExpMinus,
  createKeyedRandom,
  laplaceScale,
  sampleDiscreteLaplace,
  systemRandom,
  toRational,
} from '../../src/aggregates/index.ts';

const SEED = Buffer.from('0123456789abcdef0123456789abcdef');

describe('sampleDiscreteLaplace', () => {
  it('returns integers for any rational scale', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.string(),
        (t, s, label) => {
          const value = sampleDiscreteLaplace(
            { numerator: t, denominator: s },
            createKeyedRandom(SEED, label),
          );
          expect(Number.isSafeInteger(value)).toBe(true);
          expect(Object.is(value, -0)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('has the discrete Laplace distribution: mean 0, P(0) = tanh(ε/2), variance 2p/(1-p)^2', () => {
    // Prepare: ε = 0.5 (scale 2), p = exp(-ε)
    const epsilon = 0.5;
    const scale = laplaceScale(1, toRational(epsilon));
    const random = createKeyedRandom(SEED, 'distribution');
    const n = 40_000;

    // Act
    const samples = Array.from({ length: n }, () => sampleDiscreteLaplace(scale, random));

    // Assess (tolerances are several standard errors wide)
    const p = Math.exp(-epsilon);
    const mean = samples.reduce((a, b) => a + b, 0) / n;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const zeros = samples.filter((x) => x === 0).length / n;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(zeros).toBeCloseTo(Math.tanh(epsilon / 2), 1);
    expect(Math.abs(variance - (2 * p) / (1 - p) ** 2) / ((2 * p) / (1 - p) ** 2)).toBeLessThan(0.08);
    // Symmetry and the geometric tail: P(x)/P(x+1) = exp(ε)
    const count = (x: number) => samples.filter((v) => v === x).length;
    expect(count(1) / count(-1)).toBeGreaterThan(0.9);
    expect(count(1) / count(-1)).toBeLessThan(1.1);
    expect(count(0) / count(1)).toBeCloseTo(Math.exp(epsilon), 0);
  });

  it('works with the system random source', () => {
    const value = sampleDiscreteLaplace({ numerator: 3, denominator: 1 }, systemRandom);
    expect(Number.isInteger(value)).toBe(true);
  });
});

describe('bernoulliExpMinus', () => {
  it('is true with probability exp(-γ), for γ below and above 1', () => {
    for (const gamma of [
      { numerator: 1, denominator: 3 },
      { numerator: 5, denominator: 2 },
    ]) {
      const random = createKeyedRandom(SEED, `bern-${gamma.numerator}`);
      const n = 20_000;
      let hits = 0;
      for (let i = 0; i < n; i++) if (bernoulliExpMinus(gamma, random)) hits += 1;
      expect(hits / n).toBeCloseTo(Math.exp(-gamma.numerator / gamma.denominator), 1);
    }
  });
});

describe('createKeyedRandom', () => {
  it('is deterministic per key and label, and uniform enough', () => {
    // Act
    const a = createKeyedRandom(SEED, 'x');
    const b = createKeyedRandom(SEED, 'x');
    const c = createKeyedRandom(SEED, 'y');
    const fromA = Array.from({ length: 50 }, () => a.below(1000));

    // Assess
    expect(Array.from({ length: 50 }, () => b.below(1000))).toEqual(fromA);
    expect(Array.from({ length: 50 }, () => c.below(1000))).not.toEqual(fromA);
    const buckets = [0, 0, 0, 0, 0, 0];
    const r = createKeyedRandom(SEED, 'uniform');
    for (let i = 0; i < 60_000; i++) {
      const bucket = r.below(6);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('refuses a short key', () => {
    expect(() => createKeyedRandom(Buffer.alloc(8), 'x')).toThrow(/128 bits/);
  });
});

describe('toRational', () => {
  it('is exact for decimal epsilons', () => {
    expect(toRational(0.5)).toEqual({ numerator: 1, denominator: 2 });
    // Never rounded up (that would spend more budget than configured); exact for six places.
    expect(toRational(0.3)).toEqual({ numerator: 3, denominator: 10 });
    expect(toRational(0.000001)).toEqual({ numerator: 1, denominator: 1_000_000 });
    expect(toRational(1.5e-6)).toEqual({ numerator: 1, denominator: 1_000_000 });
    expect(() => toRational(1e-7)).toThrow();
    expect(toRational(1.25)).toEqual({ numerator: 5, denominator: 4 });
    expect(laplaceScale(3650, toRational(0.25))).toEqual({ numerator: 14_600, denominator: 1 });
  });
});
