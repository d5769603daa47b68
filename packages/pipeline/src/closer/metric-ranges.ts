import type { CompiledCatalog } from '@residency/core';
import {
  AggregateConfigurationError,
  type AggregateGroup,
  aggregateSpecsOf,
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
