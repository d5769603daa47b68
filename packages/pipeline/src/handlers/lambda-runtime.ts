import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import type { Context } from 'aws-lambda';
import { createPowertoolsLogger, type PipelineLogger } from '../observability/logger.ts';
import { createEmfMetrics, type PipelineMetrics } from '../observability/metrics.ts';
import { describeError } from '../support/safe-error.ts';

/** Namespace of every pipeline metric. */
export const METRICS_NAMESPACE = 'Residency';

/** Powertools logger and metrics of one function, created once per execution environment. */
export interface FunctionTelemetry {
  powertoolsLogger: Logger;
  powertoolsMetrics: Metrics;
  logger: PipelineLogger;
  metrics: PipelineMetrics;
}

/** Creates the telemetry of a function. Log level from `POWERTOOLS_LOG_LEVEL` (default INFO). */
export function createFunctionTelemetry(serviceName: string): FunctionTelemetry {
  const powertoolsLogger = new Logger({ serviceName });
  const powertoolsMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  return {
    powertoolsLogger,
    powertoolsMetrics,
    logger: createPowertoolsLogger(powertoolsLogger),
    metrics: createEmfMetrics(powertoolsMetrics),
  };
}

/**
 * Runs `init` once per execution environment, starting at import (Lambda's init phase) so the
 * residency checks happen at cold start. A failed init is remembered: every invocation then
 * refuses, with the same error, and no work is done.
 */
export function coldStart<T>(init: () => Promise<T>, logger: PipelineLogger): () => Promise<T> {
  let ready: Promise<T> | undefined;
  const get = () => {
    ready ??= init();
    return ready;
  };
  void get().catch(() => undefined);
  return () =>
    get().catch((error: unknown) => {
      // Configuration errors name settings and ARNs, never personal data: their message helps.
      const configuration = error instanceof RegionMismatchError || error instanceof ConfigurationError;
      logger.error('refusing to start', {
        ...describeError(error),
        ...(configuration ? { reason: (error as Error).message } : {}),
      });
      throw error;
    });
}

/** Per-invocation setup shared by the handlers. */
export function beginInvocation(telemetry: FunctionTelemetry, context: Context | undefined): void {
  if (context) telemetry.powertoolsLogger.addContext(context);
  telemetry.powertoolsMetrics.captureColdStartMetric(context?.functionName);
}
