import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Every metric the pipeline emits. A closed list, so no value can become a metric name. */
export type PipelineMetricName =
  | 'RecordsReceived'
  | 'RecordsForwarded'
  | 'RecordsQuarantined'
  | 'RecordsRetried'
  | 'TokenRequests'
  | 'AggregateEventsApplied'
  | 'AggregateDuplicatesSkipped'
  | 'AggregateRepeatsSkipped'
  | 'AggregateShardTakeovers'
  | 'LateEvents'
  | 'AggregateWritesFailed'
  | 'WindowsClosed'
  | 'WindowCloseFailures'
  | 'CellsReleased'
  | 'CellsSuppressed'
  | 'EventsSuppressed';

/**
 * Dimensions, low cardinality by construction: a closed set of keys, and values that are
 * reasons, stages or catalog event types (never tenants, tokens or identifiers).
 */
export interface MetricDimensions {
  reason?: string;
  stage?: 'quarantine' | 'tokenize' | 'outbox' | 'aggregate' | 'deferred';
  eventType?: string;
}

/** Counters of one invocation, published at its end. */
export interface PipelineMetrics {
  count(name: PipelineMetricName, value: number, dimensions?: MetricDimensions): void;
  /** Publishes what was counted (EMF) and starts over. */
  flush(): void;
}

// Dimension values are reasons, stages and event type names; anything else is refused rather
// than published, so a bug cannot turn a value into a dimension.
const DIMENSION_VALUE = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * {@link PipelineMetrics} over Powertools Metrics (EMF on stdout). Counts are summed per
 * dimension set during the invocation and published once: metrics without dimensions through
 * `publishStoredMetrics`, the others as one EMF document per dimension set.
 *
 * @example const metrics = createEmfMetrics(new Metrics({ namespace: 'Residency', serviceName: 'ingest' }));
 */
export function createEmfMetrics(metrics: Metrics): PipelineMetrics {
  let counts = new Map<string, { name: PipelineMetricName; dimensions: MetricDimensions; value: number }>();
  return {
    count(name, value, dimensions = {}) {
      const clean: MetricDimensions = {};
      for (const [key, dimension] of Object.entries(dimensions)) {
        if (typeof dimension === 'string' && DIMENSION_VALUE.test(dimension)) {
          (clean as Record<string, string>)[key] = dimension;
        }
      }
      const key = `${name}\n${JSON.stringify(Object.entries(clean).sort())}`;
      const entry = counts.get(key) ?? { name, dimensions: clean, value: 0 };
      entry.value += value;
      counts.set(key, entry);
    },
    flush() {
      const entries = [...counts.values()];
      counts = new Map();
      let stored = 0;
      for (const { name, dimensions, value } of entries) {
        if (Object.keys(dimensions).length === 0) {
          metrics.addMetric(name, MetricUnit.Count, value);
          stored += 1;
          continue;
        }
        const single = metrics.singleMetric();
        single.addDimensions(dimensions as Record<string, string>);
        single.addMetric(name, MetricUnit.Count, value);
      }
      // Publishing nothing makes Powertools warn on stdout: only publish what exists.
      if (stored > 0) metrics.publishStoredMetrics();
    },
  };
}

/** Counters kept in memory, for tests and the load-test runner. */
export interface InMemoryMetrics extends PipelineMetrics {
  /** Sum of a metric over all dimension sets, or those matching `dimensions`. */
  total(name: PipelineMetricName, dimensions?: MetricDimensions): number;
}

/** Creates {@link InMemoryMetrics}. */
export function createInMemoryMetrics(): InMemoryMetrics {
  const entries: Array<{ name: PipelineMetricName; value: number; dimensions: MetricDimensions }> = [];
  return {
    count(name, value, dimensions = {}) {
      entries.push({ name, value, dimensions });
    },
    flush: () => undefined,
    total(name, dimensions = {}) {
      return entries
        .filter((e) => e.name === name)
        .filter((e) =>
          Object.entries(dimensions).every(([k, v]) => (e.dimensions as Record<string, unknown>)[k] === v),
        )
        .reduce((sum, e) => sum + e.value, 0);
    },
  };
}
