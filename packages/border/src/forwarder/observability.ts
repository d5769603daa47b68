/** Metric names the forwarder emits (namespace and service are the adapter's). */
export type ForwarderMetricName =
  | 'BlockedRecords'
  | 'ForwardedRecords'
  | 'BatchesAcknowledged'
  | 'BatchesRejected'
  | 'BatchSendFailures';

/** Port: counters. The Powertools adapter emits them as EMF; `BlockedRecords` carries a `rule` dimension. */
export interface ForwarderMetrics {
  count(name: ForwarderMetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Port: structured logs. Fields are ids, counts and codes, never values or tokens. */
export interface ForwarderLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Discards everything (the default in tests and library use). */
export const silentLogger: ForwarderLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** In-memory metrics for tests: totals by `name` and by `name|dimension=value`. */
export interface InMemoryMetrics extends ForwarderMetrics {
  readonly totals: Map<string, number>;
  get(name: ForwarderMetricName, dimensions?: Readonly<Record<string, string>>): number;
}

function metricKey(name: string, dimensions?: Readonly<Record<string, string>>): string {
  const dims = Object.entries(dimensions ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  return [name, ...dims].join('|');
}

/** Creates {@link InMemoryMetrics}. */
export function createInMemoryMetrics(): InMemoryMetrics {
  const totals = new Map<string, number>();
  return {
    totals,
    count(name, value, dimensions) {
      const key = metricKey(name, dimensions);
      totals.set(key, (totals.get(key) ?? 0) + value);
    },
    get: (name, dimensions) => totals.get(metricKey(name, dimensions)) ?? 0,
  };
}
