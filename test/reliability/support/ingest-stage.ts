import { join } from 'node:path';
import { type aws, local, pipeline, testing } from './deps.ts';

/** Options of {@link startIngestStage}. */
export interface IngestStageOptions {
  /** The stack as the functions see it (for the faulty stack: the proxies). */
  endpointsFile: aws.EndpointsFile;
  endpointsFilePath: string;
  dataDir: string;
  /** The Kinesis client the poller reads with (through faults or not). */
  kinesis: aws.AwsClients['kinesis'];
  /** The ingest's fixed now (lateness is judged against it). Default: the system clock. */
  nowMillis?: number;
  /** Default: 86400 (nothing in the workloads is late). */
  allowedLatenessSeconds?: number;
  logger?: pipeline.PipelineLogger;
  metrics?: pipeline.PipelineMetrics;
  /** Called after each successful invocation (measurements). Default: none. */
  observe?: (
    event: Parameters<pipeline.IngestHandler>[0],
    response: Awaited<ReturnType<pipeline.IngestHandler>>,
  ) => void;
  /** Poller settings that differ from the defaults below. */
  mapping?: Partial<local.EventSourceMappingOptions>;
}

/** The ingest function wired from the environment, fed by a bounceable event source mapping. */
export interface IngestStage {
  /** The function's execution environment: `restart()` makes the next invocation a cold start. */
  function: testing.Bounceable & { readonly coldStarts: number; readonly failedColdStarts: number };
  mapping: testing.BounceableMapping;
  /** Where discarded batches would go (must stay empty). */
  onFailure: local.MemoryFailureDestination;
  close(): Promise<void>;
}

/**
 * The ingest stage exactly as `residency up` runs it: `createIngestFromEnv` over the environment
 * made from `endpoints.json` (real vault, outbox, quarantine and aggregates, with the cold-start
 * residency checks), invoked by Lambda's event source mapping with `ReportBatchItemFailures`,
 * bisection and checkpoints in the data directory, which survive a crash of the poller.
 */
export async function startIngestStage(options: IngestStageOptions): Promise<IngestStage> {
  const env = {
    ...pipeline.envFromEndpointsFile(options.endpointsFile, options.endpointsFilePath),
    ALLOWED_LATENESS_SECONDS: String(options.allowedLatenessSeconds ?? 86_400),
  };
  const fn = createFunction(() =>
    pipeline.createIngestFromEnv(env, {
      logger: options.logger ?? pipeline.silentLogger,
      metrics: options.metrics ?? pipeline.createInMemoryMetrics(),
      ...(options.nowMillis === undefined ? {} : { clock: { nowMillis: () => options.nowMillis as number } }),
    }),
  );
  await fn.start();
  const onFailure = local.createMemoryFailureDestination();
  const mapping = testing.createBounceableMapping({
    kinesis: options.kinesis,
    streamName: options.endpointsFile.streams.events ?? 'residency-events',
    functionName: 'residency-ingest',
    handler: async (event, context) => {
      const response = await fn.invoke(event, context);
      options.observe?.(event, response);
      return response;
    },
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    functionResponseTypes: ['ReportBatchItemFailures'],
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 1_000,
    onFailure,
    idlePollMillis: 20,
    retryBaseDelayMillis: 10,
    retryMaxDelayMillis: 300,
    checkpointStore: local.createFileCheckpointStore({ directory: join(options.dataDir, 'checkpoints') }),
    logger: { warn: () => undefined },
    ...options.mapping,
  });
  await mapping.start();
  return {
    function: fn,
    mapping,
    onFailure,
    async close() {
      await mapping.stop();
      await fn.stop();
    },
  };
}

type Instance = Awaited<ReturnType<typeof pipeline.createIngestFromEnv>>;

/**
 * A Lambda function's execution environment: initialized on first use (cold start: environment,
 * residency checks, clients, the vault's index key), reused until `restart()` throws it away. A
 * failed init fails that invocation (a function error, so the batch is retried) and the next
 * invocation initializes again, as Lambda does with a failed init phase.
 */
function createFunction(init: () => Promise<Instance>) {
  let instance: Promise<Instance> | undefined;
  let coldStarts = 0;
  let failedColdStarts = 0;
  const ready = () => {
    if (!instance) {
      coldStarts += 1;
      const starting = init();
      instance = starting;
      starting.catch(() => {
        failedColdStarts += 1;
        if (instance === starting) instance = undefined;
      });
    }
    return instance;
  };
  const component = testing.bounceable('residency-ingest', async () => {
    // A cold start that fails (a fault on a residency check's call) is not a failed restart: like
    // Lambda, the next invocation initializes again (`failedColdStarts` counts it).
    await ready().catch(() => undefined);
    return {
      stop: async () => {
        const current = instance;
        instance = undefined;
        (await current?.catch(() => undefined))?.close();
      },
    };
  });
  return {
    name: component.name,
    get running() {
      return component.running;
    },
    get restarts() {
      return component.restarts;
    },
    start: component.start,
    stop: component.stop,
    restart: component.restart,
    get coldStarts() {
      return coldStarts;
    },
    get failedColdStarts() {
      return failedColdStarts;
    },
    async invoke(...args: Parameters<pipeline.IngestHandler>) {
      return (await ready()).handler(...args);
    },
  };
}
