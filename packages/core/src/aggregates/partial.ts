import { needs } from '../needs.ts';
import type { Observation } from './observation.ts';

/** Sum, min, max and histogram of one metric over the events of a cell. */
export interface MetricSummary {
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Inclusive upper bounds of the buckets; the last bucket holds everything above. */
  readonly bounds: readonly number[];
  /** Events per bucket; one more entry than `bounds`. */
  readonly counts: readonly number[];
}

/**
 * The aggregate of some events of one cell. Subjects are kept exactly (sorted, unique tokens) so
 * that distinct counts stay exact when partials of batches and shards are merged: the k threshold
 * is a hard boundary (k - 1 must never pass), which a sketch such as HyperLogLog cannot promise.
 */
export interface PartialAggregate {
  readonly count: number;
  /** Distinct subject tokens, sorted. */
  readonly subjects: readonly string[];
  readonly metrics: Readonly<Record<string, MetricSummary>>;
}

/** The aggregate of no events. */
export const EMPTY_PARTIAL: PartialAggregate = Object.freeze({ count: 0, subjects: [], metrics: {} });

/** Index of the bucket `value` falls in: the first bound it does not exceed, or `bounds.length`. */
export function bucketIndex(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) if (value <= (bounds[i] as number)) return i;
  return bounds.length;
}

/**
 * Adds events to a partial. Pure: returns a new partial. Sums are exact for integer metrics
 * (below 2^53), so the result does not depend on the order events or partials are combined in.
 *
 * Precondition: `partial.subjects` is sorted and distinct, as {@link PartialAggregate} says. A
 * batch's subjects are looked up in it and merged in, so that a cell's cost per batch does not
 * grow with the subjects it already holds (a copy into a set and a sort of all of them did), and
 * a batch that adds none shares its array.
 */
export function addObservations(
  partial: PartialAggregate,
  observations: Iterable<Observation>,
): PartialAggregate {
  let count = partial.count;
  let added: Set<string> | undefined;
  const metrics = new Map<string, MutableSummary>();
  for (const [name, summary] of Object.entries(partial.metrics)) metrics.set(name, copy(summary));
  for (const observation of observations) {
    count += 1;
    const { subject } = observation;
    if (subject !== undefined && !includesSorted(partial.subjects, subject)) {
      added ??= new Set();
      added.add(subject);
    }
    // `for...in`, not `Object.entries`: no array per event. Metrics are plain objects.
    for (const name in observation.metrics) {
      const { value, bounds } = observation.metrics[name] as Observation['metrics'][string];
      let summary = metrics.get(name);
      if (!summary) {
        summary = { sum: 0, min: value, max: value, bounds, counts: new Array(bounds.length + 1).fill(0) };
        metrics.set(name, summary);
      }
      needs(sameBounds(summary.bounds, bounds), 'Precondition: one metric has one set of histogram bounds');
      summary.sum += value;
      summary.min = Math.min(summary.min, value);
      summary.max = Math.max(summary.max, value);
      const bucket = bucketIndex(bounds, value);
      summary.counts[bucket] = (summary.counts[bucket] ?? 0) + 1;
    }
  }
  const subjects = added === undefined ? partial.subjects : mergeSorted(partial.subjects, [...added].sort());
  return freeze(count, subjects, metrics);
}

// Whether sorted `items` holds `item` (binary search, in the order of `Array.prototype.sort`).
function includesSorted(items: readonly string[], item: string): boolean {
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = items[middle] as string;
    if (at === item) return true;
    if (at < item) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

// Two sorted arrays with no item in common, as one sorted array.
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length)
    out[k++] = (a[i] as string) < (b[j] as string) ? (a[i++] as string) : (b[j++] as string);
  while (i < a.length) out[k++] = a[i++] as string;
  while (j < b.length) out[k++] = b[j++] as string;
  return out;
}

/** Merges two partials of one cell (batches, shards). Commutative and associative. */
export function mergePartials(a: PartialAggregate, b: PartialAggregate): PartialAggregate {
  const subjects = new Set(a.subjects);
  for (const subject of b.subjects) subjects.add(subject);
  const metrics = new Map<string, MutableSummary>();
  for (const [name, summary] of Object.entries(a.metrics)) metrics.set(name, copy(summary));
  for (const [name, other] of Object.entries(b.metrics)) {
    const mine = metrics.get(name);
    if (!mine) {
      metrics.set(name, copy(other));
      continue;
    }
    needs(sameBounds(mine.bounds, other.bounds), 'Precondition: one metric has one set of histogram bounds');
    mine.sum += other.sum;
    mine.min = Math.min(mine.min, other.min);
    mine.max = Math.max(mine.max, other.max);
    other.counts.forEach((n, i) => {
      mine.counts[i] = (mine.counts[i] ?? 0) + n;
    });
  }
  return freeze(a.count + b.count, [...subjects].sort(), metrics);
}

interface MutableSummary {
  sum: number;
  min: number;
  max: number;
  bounds: readonly number[];
  counts: number[];
}

function copy(summary: MetricSummary): MutableSummary {
  return { ...summary, counts: [...summary.counts] };
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}

function freeze(
  count: number,
  subjects: readonly string[],
  metrics: Map<string, MutableSummary>,
): PartialAggregate {
  const sortedMetrics: Record<string, MetricSummary> = {};
  for (const name of [...metrics.keys()].sort()) sortedMetrics[name] = metrics.get(name) as MetricSummary;
  return { count, subjects, metrics: sortedMetrics };
}
