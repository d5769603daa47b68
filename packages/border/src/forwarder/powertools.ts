import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ForwarderLogger, ForwarderMetrics } from './observability.ts';

/** Namespace of the forwarder's CloudWatch metrics. */
export const METRICS_NAMESPACE = 'Residency';
/** Service name on logs and metrics. */
export const FORWARDER_SERVICE = 'residency-forwarder';

/**
 * Powertools Metrics (EMF) behind the {@link ForwarderMetrics} port. A metric with dimensions goes
 * out as a single metric so its dimension (e.g. `rule`) does not leak onto the others.
 * Call `publish()` at the end of every invocation.
 */
export function createPowertoolsMetrics(
  metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: FORWARDER_SERVICE }),
): ForwarderMetrics & { publish(): void } {
  let stored = false;
  return {
    count(name, value, dimensions) {
      if (dimensions && Object.keys(dimensions).length > 0) {
        const single = metrics.singleMetric();
        for (const [key, dim] of Object.entries(dimensions)) single.addDimension(key, dim);
        single.addMetric(name, MetricUnit.Count, value);
        return;
      }
      metrics.addMetric(name, MetricUnit.Count, value);
      stored = true;
    },
    // Publishing nothing only prints a warning: skip it.
    publish() {
      if (!stored) return;
      stored = false;
      metrics.publishStoredMetrics();
    },
  };
}

/** Powertools Logger behind the {@link ForwarderLogger} port. */
export function createPowertoolsLogger(serviceName = FORWARDER_SERVICE): ForwarderLogger {
  const logger = new Logger({ serviceName });
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
