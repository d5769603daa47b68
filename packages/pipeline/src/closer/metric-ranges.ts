import type { CompiledCatalog } from '@residency/core';
import {
  AggregateConfigurationError,
  type AggregateGroup,
  aggregateSpecsOf,
  assertNoiseDrawable,
  type MetricRange,
} from '@residency/core/aggregates';

/**
 * The value range of each metric of each event type of a catalog, from its schemas' min and max,
 * and how many metrics the type declares. With `requireAll`, a metric without both ends is refused.
 */
function rangesByType(
  catalog: CompiledCatalog,
  requireAll: boolean,
): Map<string, { ranges: Map<string, MetricRange>; metricCount: number }> {
  const byType = new Map<string, { ranges: Map<string, MetricRange>; metricCount: number }>();
  for (const [type, spec] of aggregateSpecsOf(catalog)) {
    const ranges = new Map<string, MetricRange>();
    for (const metric of spec.metrics) {
      if (metric.lowerBound !== undefined && metric.upperBound !== undefined) {
        ranges.set(metric.name, { lower: metric.lowerBound, upper: metric.upperBound });
      } else if (requireAll) {
        throw new AggregateConfigurationError(
          `noise needs ${type}.${metric.name} to have a minimum and a maximum in its schema`,
          type,
          metric.name,
        );
      }
    }
    byType.set(type, { ranges, metricCount: spec.metrics.length });
  }
  return byType;
}

/**
 * The value range of every metric of a catalog, from its schemas' min and max: the sensitivity
 * of noisy sums. With `requireAll`, a metric without both ends is refused at startup.
 */
export function metricRangesOf(
  catalog: CompiledCatalog,
  requireAll: boolean,
): (group: AggregateGroup, metric: string) => MetricRange | undefined {
  const byType = rangesByType(catalog, requireAll);
  return (group, metric) => byType.get(group.type)?.ranges.get(metric);
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
  const byType = rangesByType(catalog, true);
  for (const [type, { ranges }] of byType) assertNoiseDrawable(epsilon, type, ranges);
  return (group) => byType.get(group.type)?.metricCount ?? 0;
}
