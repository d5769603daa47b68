import type { AggregateCell } from '../model/outbox.ts';
import { needs } from '../needs.ts';
import {
  hasRational,
  laplaceScale,
  type Rational,
  sampleDiscreteLaplace,
  toRational,
} from './discrete-laplace.ts';
import { AggregateConfigurationError } from './errors.ts';
import type { AggregateGroup } from './group.ts';
import type { IntegerRandom } from './random.ts';

/** Name of the noise mechanism, as recorded in the epsilon ledger. */
export const NOISE_MECHANISM = 'discrete-laplace';

/** The range a metric's values are confined to (its schema's min and max). */
export interface MetricRange {
  readonly lower: number;
  readonly upper: number;
}

/** How to add noise to released cells. */
export interface NoiseOptions {
  /** Privacy budget of one window; every cell of the window spends it (cells are disjoint). */
  epsilon: number;
  /** The randomness of one cell. Keyed per cell so a retried release draws the same noise. */
  randomFor(cellId: string): IntegerRandom;
  /** The value range of a metric (its sensitivity for sums). Noise on a metric without one is refused. */
  metricRange(group: AggregateGroup, metric: string): MetricRange | undefined;
  /**
   * How many metrics the cell's event type declares: the epsilon share of each statistic comes from
   * it, not from the metrics a cell happens to release (that would make the noise depend on the
   * data). Default: the metrics of the cell.
   */
  metricCount?(group: AggregateGroup): number;
}

/**
 * The largest scale numerator the sampler takes: its uniform draws are below 2^48, and a draw of
 * up to 64 times the numerator must fit.
 */
export const MAX_NOISE_SCALE_NUMERATOR = 2 ** 42;

/** The share of a window's epsilon each statistic of a cell with `metricCount` metrics spends. */
function shareOf(epsilon: number, metricCount: number): Rational {
  const whole = toRational(epsilon);
  const share = {
    numerator: whole.numerator,
    denominator: whole.denominator * statisticsPerCell(metricCount),
  };
  needs(Number.isSafeInteger(share.denominator), 'Precondition: the epsilon share fits a safe integer');
  return share;
}

/**
 * The sensitivity of a metric's noised sum: its largest absolute value, plus one because the sum is
 * rounded to a whole number first (rounding moves a neighbour's sum by up to one more).
 */
function sumSensitivity(range: MetricRange): number {
  return Math.max(1, Math.ceil(Math.max(Math.abs(range.lower), Math.abs(range.upper)))) + 1;
}

/**
 * Checks, before anything is released, that noise with `epsilon` can be drawn for every statistic
 * of an event type with these metric ranges: a tiny epsilon or a huge range gives a scale the
 * sampler cannot draw, and every release would fail. Throws AggregateConfigurationError naming the
 * type and metric.
 */
export function assertNoiseDrawable(
  epsilon: number,
  type: string,
  ranges: ReadonlyMap<string, MetricRange>,
): void {
  if (!hasRational(epsilon)) {
    throw new AggregateConfigurationError('noise epsilon must be at least 0.000001', type);
  }
  const share = shareOf(epsilon, ranges.size);
  const fits = (sensitivity: number) => {
    const t = sensitivity * share.denominator;
    return Number.isSafeInteger(t) && laplaceScale(sensitivity, share).numerator <= MAX_NOISE_SCALE_NUMERATOR;
  };
  if (!fits(1))
    throw new AggregateConfigurationError(`noise epsilon ${epsilon} is too small to draw counts`, type);
  for (const [name, range] of ranges) {
    if (!fits(sumSensitivity(range))) {
      throw new AggregateConfigurationError(
        `noise epsilon ${epsilon} is too small for the range of ${type}.${name} (sum noise could not be drawn): raise epsilon or narrow the metric's min and max`,
        type,
        name,
      );
    }
  }
}

/**
 * How a window's epsilon is spent on one cell: split evenly over the statistics released, which
 * compose sequentially: the count, the distinct subjects, and per metric its histogram (one share:
 * an event falls in one bucket) and its sum. Cells of a window are disjoint (each event is in
 * one), so the window as a whole spends epsilon once.
 */
export function statisticsPerCell(metricCount: number): number {
  return 2 + 2 * metricCount;
}

/**
 * Adds discrete Laplace noise to an exact cell. Counts (count, distinct subjects, histogram
 * buckets) have sensitivity 1 and are clamped at 0 after noise (post-processing); a sum is rounded
 * to a whole number and has the sensitivity of its metric's largest absolute value, plus one for
 * the rounding. Min and max are not noised (no bounded
 * sensitivity): they are replaced by the edges of the lowest and highest non-empty bucket of the
 * noisy histogram, which is post-processing and costs no budget.
 */
export function addNoise(cell: AggregateCell, group: AggregateGroup, options: NoiseOptions): AggregateCell {
  const names = Object.keys(cell.metrics).sort();
  const metricCount = options.metricCount?.(group) ?? names.length;
  needs(metricCount >= names.length, 'Precondition: the type declares every metric of its cells');
  const share = shareOf(options.epsilon, metricCount);
  const random = options.randomFor(cell.cellId);
  const countScale = laplaceScale(1, share);
  const noisyCount = (value: number) => Math.max(0, value + sampleDiscreteLaplace(countScale, random));
  const count = noisyCount(cell.count);
  const distinctSubjects = noisyCount(cell.distinctSubjects);
  const metrics: AggregateCell['metrics'] = {};
  for (const name of names) {
    const exact = cell.metrics[name] as AggregateCell['metrics'][string];
    const range = options.metricRange(group, name);
    if (!range) {
      throw new AggregateConfigurationError(`noise needs a value range for metric ${name}`, group.type, name);
    }
    const counts = exact.counts.map(noisyCount);
    // The sum is rounded to a whole number before its (whole) noise: the fraction of a sum of
    // decimals would otherwise come out exact, and with everyone else's values whole it is one
    // person's.
    const sum =
      Math.round(exact.sum) + sampleDiscreteLaplace(laplaceScale(sumSensitivity(range), share), random);
    metrics[name] = { sum, ...edges(exact.bounds, counts, range), bounds: exact.bounds, counts };
  }
  return { ...cell, count, distinctSubjects, metrics };
}

function edges(
  bounds: readonly number[],
  counts: readonly number[],
  range: MetricRange,
): { min: number; max: number } {
  const first = counts.findIndex((n) => n > 0);
  if (first === -1) return { min: range.lower, max: range.lower };
  let last = counts.length - 1;
  while ((counts[last] ?? 0) === 0) last -= 1;
  const min = first === 0 ? range.lower : (bounds[first - 1] as number);
  const max = last >= bounds.length ? range.upper : (bounds[last] as number);
  return { min: Math.max(range.lower, min), max: Math.min(range.upper, max) };
}
