import type { AggregateCell } from '../model/outbox.ts';
import { needs } from '../needs.ts';
import { laplaceScale, type Rational, sampleDiscreteLaplace, toRational } from './discrete-laplace.ts';
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
 * buckets) have sensitivity 1 and are clamped at 0 after noise (post-processing); a sum has the
 * sensitivity of its metric's largest absolute value. Min and max are not noised (no bounded
 * sensitivity): they are replaced by the edges of the lowest and highest non-empty bucket of the
 * noisy histogram, which is post-processing and costs no budget.
 */
export function addNoise(cell: AggregateCell, group: AggregateGroup, options: NoiseOptions): AggregateCell {
  const names = Object.keys(cell.metrics).sort();
  const epsilon = toRational(options.epsilon);
  const share: Rational = {
    numerator: epsilon.numerator,
    denominator: epsilon.denominator * statisticsPerCell(names.length),
  };
  needs(Number.isSafeInteger(share.denominator), 'Precondition: the epsilon share fits a safe integer');
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
    const sensitivity = Math.max(1, Math.ceil(Math.max(Math.abs(range.lower), Math.abs(range.upper))));
    const sum = exact.sum + sampleDiscreteLaplace(laplaceScale(sensitivity, share), random);
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
