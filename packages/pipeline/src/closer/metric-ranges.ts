import type { CompiledCatalog } from '@residency/core';
import {
  AggregateConfigurationError,
  type AggregateGroup,
  aggregateSpecsOf,
  assertNoiseDrawable,
  type MetricRange,
} from '@residency/core/aggregates';

/**
 * The value range of every metric of a catalog, from its schemas' min and max: the sensitivity
 * of noisy sums. With `requireAll`, a metric without both ends is refused at startup.
 */
export function metricRangesOf(
  catalog: CompiledCatalog,
  requireAll: boolean,
): (group: AggregateGroup, metric: string) => MetricRange | undefined {
  const ranges = new Map<string, MetricRange>();
  for (const [type, spec] of aggregateSpecsOf(catalog)) {
    for (const metric of spec.metrics) {
      if (metric.lowerBound !== undefined && metric.upperBound !== undefined) {
        ranges.set(`${type}\n${metric.name}`, { lower: metric.lowerBound, upper: metric.upperBound });
      } else if (requireAll) {
        throw new AggregateConfigurationError(
          `noise needs ${type}.${metric.name} to have a minimum and a maximum in its schema`,
          type,
          metric.name,
        );
      }
    }
  }
  return (group, metric) => ranges.get(`${group.type}\n${metric}`);
}

/**
 * The metrics each event type of a catalog declares, for the epsilon share of noise (see
 * `NoiseOptions.metricCount`), after checking that noise with `epsilon` can be drawn for every
 * statistic of every type: refused at startup rather than failing every release.
 */
export function noiseMetricCountsOf(
  catalog: CompiledCatalog,
  epsilon: number,
): (group: AggregateGroup) => number {
  const counts = new Map<string, number>();
  for (const [type, spec] of aggregateSpecsOf(catalog)) {
    const ranges = new Map<string, MetricRange>();
    for (const metric of spec.metrics) {
      if (metric.lowerBound !== undefined && metric.upperBound !== undefined)
        ranges.set(metric.name, { lower: metric.lowerBound, upper: metric.upperBound });
    }
    assertNoiseDrawable(epsilon, type, ranges);
    counts.set(type, spec.metrics.length);
  }
  return (group) => counts.get(group.type) ?? 0;
}
