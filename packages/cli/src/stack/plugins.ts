import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ENDPOINTS_FILE_NAME } from '@residency/aws';
import {
  createEventSourceMapping,
  createFileCheckpointStore,
  createFileFailureDestination,
  type EventSourceMapping,
  type LocalStackContext,
  type LocalStackPlugin,
} from '@residency/local';
import {
  createEmfMetrics,
  createIngestFromEnv,
  createPowertoolsLogger,
  createWindowCloserFromEnv,
  envFromEndpointsFile,
  type PipelineMetrics,
  type WindowCloser,
} from '@residency/pipeline';

/** Options of {@link localPipelinePlugins}. */
export interface PipelinePluginOptions {
  dataDir: string;
  /** Log level of the functions' Powertools loggers. Default: `INFO` (`WARN` for `run`). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Where the functions' metrics go. Default: EMF on stdout, as on Lambda. */
  metrics?: (functionName: string) => PipelineMetrics;
  /** How often the scheduled window closer runs. Default: 15 s (EventBridge's minimum is a minute). */
  closerIntervalMillis?: number;
}

/** Handles on what the plugins started, for callers that wait on the pipeline (`residency run`). */
export interface PipelineHandles {
  ingest?: EventSourceMapping;
  forwarder?: EventSourceMapping;
  closer?: WindowCloser;
}

// The event source mapping settings the stacks use on AWS (stacks/DataPlane.ts), so the local
// runtime fails the same way: bounded retries and record age, bisect, partial batch responses.
const MAPPING_DEFAULTS = {
  startingPosition: 'TRIM_HORIZON',
  batchSize: 500,
  maximumBatchingWindowMillis: 100,
  parallelizationFactor: 1,
  functionResponseTypes: ['ReportBatchItemFailures'],
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 10,
  maximumRecordAgeSeconds: 86_400,
  idlePollMillis: 100,
} as const;

/**
 * Tenant → country of the local demo: `kol-*` clinics are in Kolkata (India), the rest read phone
 * numbers as Bangladeshi. The producer and the functions must agree, or a local-format number
 * valid at `send` would be invalid at ingest.
 */
export const LOCAL_TENANT_COUNTRIES = { defaultCountry: 'BD', byPrefix: { 'kol-': 'IN' } } as const;

/** The environment each function gets, made from the running stack's endpoints file. */
export function functionEnv(stack: LocalStackContext): Record<string, string | undefined> {
  return {
    ...envFromEndpointsFile(stack.endpoints, join(stack.dataDir, ENDPOINTS_FILE_NAME)),
    DEFAULT_COUNTRY: LOCAL_TENANT_COUNTRIES.defaultCountry,
    TENANT_COUNTRY_PREFIXES: Object.entries(LOCAL_TENANT_COUNTRIES.byPrefix)
      .map(([prefix, country]) => `${prefix}:${country}`)
      .join(','),
  };
}

/** Starts an event source mapping on `streamRole` for a function, with file checkpoints and an in-region on-failure file. */
export async function startMapping(
  stack: LocalStackContext,
  functionName: string,
  streamRole: string,
  handler: Parameters<typeof createEventSourceMapping>[0]['handler'],
): Promise<EventSourceMapping> {
  const mapping = createEventSourceMapping({
    ...MAPPING_DEFAULTS,
    functionResponseTypes: [...MAPPING_DEFAULTS.functionResponseTypes],
    kinesis: stack.clients.kinesis,
    streamName: stack.endpoints.streams[streamRole] ?? `residency-${streamRole}`,
    functionName,
    handler,
    checkpointStore: createFileCheckpointStore({ directory: join(stack.dataDir, 'checkpoints') }),
    onFailure: createFileFailureDestination({
      path: join(stack.dataDir, 'on-failure', `${functionName}.jsonl`),
    }),
  });
  await mapping.start();
  return mapping;
}

/** Powertools logger and metrics for one local function. */
export function observabilityFor(functionName: string, options: PipelinePluginOptions) {
  return {
    logger: createPowertoolsLogger(
      new Logger({ serviceName: functionName, logLevel: options.logLevel ?? 'INFO' }),
    ),
    metrics:
      options.metrics?.(functionName) ??
      createEmfMetrics(new Metrics({ namespace: 'Residency', serviceName: functionName })),
  };
}

/** The ingest function on the events stream. */
export function ingestPlugin(options: PipelinePluginOptions, handles: PipelineHandles): LocalStackPlugin {
  return async (stack) => {
    const ingest = await createIngestFromEnv(
      functionEnv(stack),
      observabilityFor('residency-ingest', options),
    );
    const mapping = await startMapping(stack, 'residency-ingest', 'events', (event) => ingest.handler(event));
    handles.ingest = mapping;
    return {
      stop: async () => {
        await mapping.stop();
        ingest.close();
      },
    };
  };
}

/** The window closer, on a timer (EventBridge Scheduler on AWS). */
export function closerPlugin(options: PipelinePluginOptions, handles: PipelineHandles): LocalStackPlugin {
  return async (stack) => {
    const { closer, close } = await createWindowCloserFromEnv(
      functionEnv(stack),
      observabilityFor('residency-window-closer', options),
    );
    handles.closer = closer;
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(() => closer.run()).catch(() => undefined);
    }, options.closerIntervalMillis ?? 15_000);
    return {
      stop: async () => {
        clearInterval(timer);
        await running;
        close();
      },
    };
  };
}

/**
 * The composition root of the local pipeline: which functions and servers `up` and `run` start on
 * top of the emulators, in order (control plane first, so the forwarder has somewhere to send).
 */
export function localPipelinePlugins(
  options: PipelinePluginOptions,
  handles: PipelineHandles = {},
): LocalStackPlugin[] {
  return [ingestPlugin(options, handles), closerPlugin(options, handles)];
}
