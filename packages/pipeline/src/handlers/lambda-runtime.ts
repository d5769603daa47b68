import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createColdStart, isConfigurationFailure } from '@residency/vault';
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
 * residency checks happen at cold start: `createColdStart` of `@residency/vault`, eager. A
 * configuration failure (`isConfigurationFailure`: a refusal of `loadIngestConfig`,
 * `loadWindowCloserConfig`, `resolveAwsTarget`, `verifyResidency` or `createVault`) is remembered:
 * every invocation then refuses, with the same error, and no work is done. Any other failure (a
 * throttled DescribeStreamSummary in a cold-start storm, a timeout, a KMS hiccup) is logged once
 * and fails only the invocations waiting for that attempt; the next invocation runs `init` again.
 *
 * @example const ready = coldStart(async () => (await createIngestFromEnv(process.env, telemetry)).handler, telemetry.logger);
 */
export function coldStart<T>(init: () => Promise<T>, logger: PipelineLogger): () => Promise<T> {
  const ready = createColdStart(init, {
    eager: true,
    onFailure: (error, remembered) => {
      if (!remembered)
        logger.error('cold start failed; the next invocation tries again', describeError(error));
    },
  });
  return () =>
    ready().catch((error: unknown) => {
      if (isConfigurationFailure(error)) {
        // Configuration errors name settings and ARNs, never personal data: their message helps.
        logger.error('refusing to start', { ...describeError(error), reason: (error as Error).message });
      }
      throw error;
    });
}

/** Per-invocation setup shared by the handlers. */
export function beginInvocation(telemetry: FunctionTelemetry, context: Context | undefined): void {
  if (context) telemetry.powertoolsLogger.addContext(context);
  telemetry.powertoolsMetrics.captureColdStartMetric(context?.functionName);
}
