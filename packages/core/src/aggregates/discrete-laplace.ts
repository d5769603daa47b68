import { needs } from '../needs.ts';
import type { IntegerRandom } from './random.ts';

/** A positive rational `numerator / denominator` of safe integers. */
export interface Rational {
  readonly numerator: number;
  readonly denominator: number;
}

// The numerator of the largest multiple of 1/denominator not above `value`. The epsilon (1e-9)
// absorbs binary representation: 0.3 * 1e6 is 299999.99999999994.
function floorNumerator(value: number, denominator: number): number {
  return Math.floor(value * denominator + 1e-9);
}

/** Whether {@link toRational} takes `value`: positive, finite and at least 1 / denominator. */
export function hasRational(value: number, denominator = 1_000_000): boolean {
  return Number.isFinite(value) && value > 0 && floorNumerator(value, denominator) >= 1;
}

/**
 * The largest rational with the given denominator that is not above `value`, reduced. Epsilon is
 * configured as a decimal; the sampler needs it exact, and rounding it up would spend more budget
 * than was configured (a smaller epsilon is more privacy). Exact for a decimal of at most six
 * places, which is what the window closer accepts.
 *
 * @example toRational(0.5) // { numerator: 1, denominator: 2 }
 */
export function toRational(value: number, denominator = 1_000_000): Rational {
  needs(hasRational(value, denominator), 'Precondition: a finite value of at least 1 / denominator');
  const numerator = floorNumerator(value, denominator);
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/**
 * A sample of Bernoulli(exp(-gamma)) for a rational `gamma >= 0`, with integer arithmetic only
 * (Canonne, Kamath and Steinke 2020, Algorithm 1, https://arxiv.org/abs/2004.00010).
 */
export function bernoulliExpMinus(gamma: Rational, random: IntegerRandom): boolean {
  const { numerator: n, denominator: d } = gamma;
  needs(
    Number.isSafeInteger(n) && n >= 0 && Number.isSafeInteger(d) && d >= 1,
    'Precondition: gamma = n/d >= 0',
  );
  if (n <= d) {
    let k = 1;
    while (random.below(d * k) < n) k += 1;
    return k % 2 === 1;
  }
  for (let i = 0; i < Math.floor(n / d); i++) {
    if (!bernoulliExpMinus({ numerator: 1, denominator: 1 }, random)) return false;
  }
  return bernoulliExpMinus({ numerator: n % d, denominator: d }, random);
}

/**
 * A sample of the discrete Laplace distribution with scale `t/s`: P(x) ∝ exp(-|x| s / t) for
 * every integer x (Canonne, Kamath and Steinke 2020, Algorithm 2). Exact and integer-valued: it
 * never goes through floating-point Laplace noise, whose rounding leaks the input (Mironov 2012).
 * Adding it to a query of sensitivity Δ with scale Δ/ε gives ε-differential privacy; it is the
 * two-sided geometric mechanism of Ghosh, Roughgarden and Sundararajan.
 *
 * @example sampleDiscreteLaplace({ numerator: 2, denominator: 1 }, systemRandom) // e.g. -1
 */
export function sampleDiscreteLaplace(scale: Rational, random: IntegerRandom): number {
  const t = scale.numerator;
  const s = scale.denominator;
  needs(
    Number.isSafeInteger(t) && t >= 1 && Number.isSafeInteger(s) && s >= 1,
    'Precondition: scale = t/s > 0',
  );
  for (;;) {
    const u = random.below(t);
    if (!bernoulliExpMinus({ numerator: u, denominator: t }, random)) continue;
    let v = 0;
    while (bernoulliExpMinus({ numerator: 1, denominator: 1 }, random)) v += 1;
    const y = Math.floor((u + t * v) / s);
    const negative = random.below(2) === 1;
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** The scale Δ/ε as a reduced rational, for a sensitivity Δ (a positive integer) and a rational ε. */
export function laplaceScale(sensitivity: number, epsilon: Rational): Rational {
  needs(
    Number.isSafeInteger(sensitivity) && sensitivity >= 1,
    'Precondition: sensitivity is a positive integer',
  );
  const t = sensitivity * epsilon.denominator;
  const s = epsilon.numerator;
  needs(Number.isSafeInteger(t), 'Precondition: the scale fits a safe integer');
  const divisor = gcd(t, s);
  return { numerator: t / divisor, denominator: s / divisor };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
