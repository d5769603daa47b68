import type { AggregateCell } from '../model/outbox.ts';
import type { MetricRange } from './noise.ts';
import type { MetricSummary } from './partial.ts';

/** A released metric: what a cell says about one metric. */
export type ReleasedMetric = AggregateCell['metrics'][string];

/** What a cell's metric is coarsened against. */
export interface CellSize {
  /** Events of the cell. */
  readonly count: number;
  /** Distinct subjects of the cell (exact). */
  readonly distinctSubjects: number;
}

/**
 * Whether at least k subjects provably carry a metric: its events, less every event beyond a
 * subject's first in the cell. A metric fewer carry (an optional field set by a few) is not
 * released, with noise or without: even its presence says that someone in the cell set it.
 */
export function carriedByK(summary: MetricSummary, cell: CellSize, k: number): boolean {
  const excess = Math.max(0, cell.count - cell.distinctSubjects);
  const total = summary.counts.reduce((a, b) => a + b, 0);
  return total - excess >= k;
}

/**
 * The exact (noise-free) release of one metric of a cell of at least k subjects, with the small
 * cells inside it removed:
 *
 * - A histogram bucket is a cell of its own (cell × value range): a bucket of one event in a cell
 *   of 50 says that one person's value lies in that range. Adjacent buckets are merged until each
 *   released bucket provably holds k distinct subjects or is empty. Only event counts are kept per
 *   bucket, so the proof is a lower bound: a bucket of `e` events holds at least `e - (count -
 *   distinctSubjects)` subjects (every event beyond a subject's first is an excess event).
 * - Min and max are never a subject's value (the max of a cell is one person's value): they are
 *   the edges of the lowest and highest non-empty released buckets, post-processing of the
 *   released histogram. An open edge is the metric's range when known, else the catalog's first or
 *   last bound (a constant, not data).
 * - A metric that fewer than k subjects provably carry (an optional field set by a few) is not
 *   released at all: its sum would be theirs.
 *
 * The sum is released exactly; it is protected only by k (use noise for more).
 *
 * @example coarsenMetric(summary, { count: 40, distinctSubjects: 30 }, 10, { lower: 0, upper: 3650 })
 */
export function coarsenMetric(
  summary: MetricSummary,
  cell: CellSize,
  k: number,
  range: MetricRange | undefined,
): ReleasedMetric | undefined {
  if (!carriedByK(summary, cell, k)) return undefined;
  const excess = Math.max(0, cell.count - cell.distinctSubjects);
  // Greedy: close a group as soon as it provably holds k subjects; what is left over at the top
  // joins the last group, unless it is empty (an empty top bucket says only "nobody above").
  const ends: number[] = [];
  const counts: number[] = [];
  let accumulated = 0;
  summary.counts.forEach((n, i) => {
    accumulated += n;
    if (accumulated - excess >= k) {
      ends.push(i);
      counts.push(accumulated);
      accumulated = 0;
    }
  });
  const top = summary.counts.length - 1;
  if (ends[ends.length - 1] !== top) {
    if (accumulated > 0) {
      ends[ends.length - 1] = top;
      counts[counts.length - 1] = (counts[counts.length - 1] as number) + accumulated;
    } else {
      ends.push(top);
      counts.push(0);
    }
  }
  const bounds = ends.slice(0, -1).map((end) => summary.bounds[end] as number);
  const lowest = range?.lower ?? (summary.bounds[0] as number);
  const highest = range?.upper ?? (summary.bounds[summary.bounds.length - 1] as number);
  const first = counts.findIndex((n) => n > 0);
  let last = counts.length - 1;
  while ((counts[last] ?? 0) === 0) last -= 1;
  const min = first === 0 ? lowest : (bounds[first - 1] as number);
  const max = last === bounds.length ? highest : (bounds[last] as number);
  return {
    sum: summary.sum,
    min: clamp(min, lowest, highest),
    max: clamp(max, lowest, highest),
    bounds,
    counts,
  };
}

function clamp(value: number, lower: number, upper: number): number {
  return lower <= upper ? Math.min(upper, Math.max(lower, value)) : value;
}
