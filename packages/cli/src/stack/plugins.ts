import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ENDPOINTS_FILE_NAME } from '@residency/aws';
import { createPowertoolsLogger as createForwarderLogger } from '@residency/border';
import { forwarderPlugin, loadOrCreateLocalSigningKey } from '@residency/border/local';
import { controlPlanePlugin } from '@residency/control-plane';
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
  /** Aggregate window length, event time. Default: the pipeline's (60 s). */
  windowSeconds?: number;
  /** How often the scheduled window closer runs. Default: 15 s (EventBridge's minimum is a minute). */
  closerIntervalMillis?: number;
}

/** Handles on what the plugins started, for callers that wait on the pipeline (`residency run`). */
export interface PipelineHandles {
  ingest?: EventSourceMapping;
  forwarder?: EventSourceMapping;
  closer?: WindowCloser;
  /**
   * Closes every open window now, as if event time had passed their end and allowed lateness: the
   * end of a finite input (`residency run`). Events arriving later for those windows count as late.
   */
  flushWindows?: () => Promise<unknown>;
  /** What every closer run so far released and suppressed (the timer's runs included). */
  closerTotals?: { releasedCells: number; suppressedCells: number; lateEvents: number };
}

// The event source mapping's failure handling is the stacks' (stacks/DataPlane.ts), so the local
// runtime fails the same way: bounded retries and record age, bisect, partial batch responses.
// Batches are smaller and the batching window shorter than on AWS, so that a demo flows at once.
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
export function functionEnv(
  stack: LocalStackContext,
  options: Pick<PipelinePluginOptions, 'windowSeconds'> = {},
): Record<string, string | undefined> {
  return {
    ...(options.windowSeconds ? { WINDOW_SECONDS: String(options.windowSeconds) } : {}),
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
    let flushing = false;
    const { closer, close } = await createWindowCloserFromEnv(functionEnv(stack, options), {
      ...observabilityFor('residency-window-closer', options),
      // A day ahead is past any window's end + lateness + grace the configuration allows.
      clock: { nowMillis: () => Date.now() + (flushing ? 86_400_000 : 0) },
    });
    const totals = { releasedCells: 0, suppressedCells: 0, lateEvents: 0 };
    handles.closerTotals = totals;
    // One run at a time, timer or caller: two concurrent runs could release a window twice.
    let running: Promise<unknown> = Promise.resolve();
    const run = () => {
      const next = running.then(() => closer.run());
      running = next.catch(() => undefined);
      return next.then((report) => {
        totals.releasedCells += report.releasedCells;
        totals.suppressedCells += report.suppressedCells;
        totals.lateEvents += report.lateEvents;
        return report;
      });
    };
    handles.closer = { run };
    handles.flushWindows = () => {
      const next = running.then(async () => {
        flushing = true;
        try {
          return await closer.run();
        } finally {
          flushing = false;
        }
      });
      running = next.catch(() => undefined);
      return next.then((report) => {
        totals.releasedCells += report.releasedCells;
        totals.suppressedCells += report.suppressedCells;
        totals.lateEvents += report.lateEvents;
        return report;
      });
    };
    const timer = setInterval(() => {
      run().catch(() => undefined);
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
 * The control plane (its own dynalite in the control region, under `<dataDir>/control-plane`) and
 * the forwarder, the only component that sends to it. The forwarder's Ed25519 key stays in the
 * data directory (mode 0600); the control plane is given only the public key.
 */
export function borderPlugins(options: PipelinePluginOptions, handles: PipelineHandles): LocalStackPlugin[] {
  let key: Awaited<ReturnType<typeof loadOrCreateLocalSigningKey>> | undefined;
  const signingKey = async (dataDir: string) => {
    key ??= await loadOrCreateLocalSigningKey(dataDir);
    return key;
  };
  return [
    async (stack) => {
      const { keyId, publicKeyPem } = await signingKey(stack.dataDir);
      return controlPlanePlugin({ publicKeys: { [keyId]: publicKeyPem } })(stack);
    },
    async (stack) =>
      forwarderPlugin({
        signingKey: await signingKey(stack.dataDir),
        ...(options.logLevel === 'ERROR' ? {} : { logger: createForwarderLogger() }),
        onStarted: (mapping) => {
          handles.forwarder = mapping;
        },
      })(stack),
  ];
}

/**
 * The composition root of the local pipeline: which functions and servers `up` and `run` start on
 * top of the emulators, in order (control plane first, so the forwarder has somewhere to send).
 */
export function localPipelinePlugins(
  options: PipelinePluginOptions,
  handles: PipelineHandles = {},
): LocalStackPlugin[] {
  return [...borderPlugins(options, handles), ingestPlugin(options, handles), closerPlugin(options, handles)];
}
