import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { isConfigurationFailure } from '@residency/vault';
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
 * residency checks happen at cold start. A configuration failure (`isConfigurationFailure` of
 * `@residency/vault`: a refusal of `loadIngestConfig`, `loadWindowCloserConfig`, `resolveAwsTarget`,
 * `verifyResidency` or `createVault`) is remembered: every invocation then refuses, with the same
 * error, and no work is done. Any other failure (a throttled DescribeStreamSummary in a cold-start storm, a timeout, a KMS hiccup) fails
 * only the invocations waiting for that attempt; the next invocation runs `init` again. Lambda
 * resets an environment only when it crashes, times out or fails its init phase, not when a handler
 * rejects, so a remembered transient failure would fail every later batch of the environment.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 *
 * @example const ready = coldStart(async () => (await createIngestFromEnv(process.env, telemetry)).handler, telemetry.logger);
 */
export function coldStart<T>(init: () => Promise<T>, logger: PipelineLogger): () => Promise<T> {
  let ready: Promise<T> | undefined;
  const get = () => {
    if (ready) return ready;
    // A synchronous throw becomes a rejection, handled like any other failed attempt.
    const starting = new Promise<T>((resolve) => resolve(init()));
    ready = starting;
    starting.catch((error: unknown) => {
      if (isConfigurationFailure(error)) return;
      // Forget the attempt so the next invocation runs the init again.
      ready = undefined;
      logger.error('cold start failed; the next invocation tries again', describeError(error));
    });
    return starting;
  };
  void get().catch(() => undefined);
  return () =>
    get().catch((error: unknown) => {
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
