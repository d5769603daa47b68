import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Callback, Context, KinesisStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { EventSourceMappingConfigurationError } from '../errors.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import type { FailureDestination } from './on-failure-record.ts';

/**
 * A Lambda handler for Kinesis events, exactly as it would be deployed (a `KinesisStreamHandler`
 * from `aws-lambda` fits). Return a promise of the response (`KinesisStreamBatchResponse` or
 * nothing); a handler that returns no promise is finished when it calls `callback`, as in the
 * Node.js runtime.
 */
export type KinesisHandler = (
  event: KinesisStreamEvent,
  context: Context,
  callback: Callback<unknown>,
) => unknown;

/** Where the mapping reports infrastructure problems (Kinesis errors, destination failures). */
export interface MappingLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Lambda's synchronous invocation payload limit; a batch's event JSON never exceeds it. */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

// Ranges are Lambda's own: https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html
const TuningSchema = z.object({
  streamName: z.string().min(1).max(128),
  functionName: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/)
    .default('local-function'),
  mappingId: z.string().min(1).optional(),
  batchSize: z.number().int().min(1).max(10_000).default(100),
  maximumBatchingWindowMillis: z.number().int().min(0).max(300_000).default(0),
  parallelizationFactor: z.number().int().min(1).max(10).default(1),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']),
  functionResponseTypes: z.array(z.literal('ReportBatchItemFailures')).max(1).default([]),
  bisectBatchOnFunctionError: z.boolean().default(false),
  maximumRetryAttempts: z.number().int().min(-1).max(10_000).default(-1),
  maximumRecordAgeSeconds: z
    .number()
    .int()
    .refine((value) => value === -1 || (value >= 60 && value <= 604_800), {
      message: 'must be -1 (no limit) or between 60 and 604800',
    })
    .default(-1),
  functionTimeoutMillis: z.number().int().min(1).max(900_000).default(60_000),
  idlePollMillis: z.number().int().min(0).max(60_000).default(1_000),
  retryBaseDelayMillis: z.number().int().min(0).max(60_000).default(200),
  retryMaxDelayMillis: z.number().int().min(0).max(600_000).default(5_000),
  shardDiscoveryIntervalMillis: z.number().int().min(10).max(3_600_000).default(10_000),
  maxPayloadBytes: z
    .number()
    .int()
    .min(1_024)
    .max(LAMBDA_MAX_PAYLOAD_BYTES)
    .default(LAMBDA_MAX_PAYLOAD_BYTES),
});

/**
 * Options of {@link createEventSourceMapping}: the same knobs as `CreateEventSourceMapping` for a
 * Kinesis source, with units in the names, plus the local poller's own timings.
 */
export interface EventSourceMappingOptions {
  /** Kinesis client (from `createAwsClients`); kinesalite needs its HTTP/1.1 handler. */
  kinesis: KinesisClient;
  /** Stream to read. Every call passes `StreamName` (kinesalite rejects `StreamARN`-only calls). */
  streamName: string;
  /** The function's handler, called once per batch. */
  handler: KinesisHandler;
  /** Function name used in the `Context`, the function ARN and the default mapping id. Default: `local-function`. */
  functionName?: string;
  /** Key under which checkpoints are stored. Default: `${functionName}/${streamName}`. */
  mappingId?: string;
  /** Records per batch, 1 to 10000 (`BatchSize`). Default: 100. */
  batchSize?: number;
  /** Time to gather records before invoking, 0 to 300000 ms (`MaximumBatchingWindowInSeconds`). Default: 0. */
  maximumBatchingWindowMillis?: number;
  /**
   * Concurrent batches per shard, 1 to 10 (`ParallelizationFactor`). Records are assigned to a slot by
   * a hash of their partition key, so records with one key stay in order. Default: 1.
   */
  parallelizationFactor?: number;
  /** Where to start on a shard that has no checkpoint (`StartingPosition`). Required, as on AWS. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** `['ReportBatchItemFailures']` to honour partial batch responses (`FunctionResponseTypes`). Default: `[]`. */
  functionResponseTypes?: Array<'ReportBatchItemFailures'>;
  /** Split a batch in two when the function errors (`BisectBatchOnFunctionError`). Default: false. */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a failed batch, -1 (forever) or 0 to 10000 (`MaximumRetryAttempts`). AWS's default is
   * forever, which lets one bad record block a shard until it expires: we recommend setting it.
   * Default: -1.
   */
  maximumRetryAttempts?: number;
  /**
   * Records older than this are not sent to the function, -1 (no limit) or 60 to 604800
   * (`MaximumRecordAgeInSeconds`). AWS's default is no limit: we recommend setting it. Default: -1.
   */
  maximumRecordAgeSeconds?: number;
  /** Where the metadata of discarded batches goes (`DestinationConfig.OnFailure`). Default: none. */
  onFailure?: FailureDestination;
  /** Where per-shard checkpoints are kept. Default: an in-memory store (lost on restart). */
  checkpointStore?: CheckpointStore;
  /** An invocation running longer than this counts as failed (the function's timeout). Default: 60000. */
  functionTimeoutMillis?: number;
  /** Pause between polls of a shard that returned nothing (Lambda polls idle shards once a second). Default: 1000. */
  idlePollMillis?: number;
  /** First delay before retrying a failed batch; doubles per retry. Default: 200. */
  retryBaseDelayMillis?: number;
  /** Upper bound of the retry delay. Default: 5000. */
  retryMaxDelayMillis?: number;
  /** How often shards are listed again to find new ones after resharding. Default: 10000. */
  shardDiscoveryIntervalMillis?: number;
  /** Cap on a batch's event JSON; Lambda's limit is 6 MB. Lower it only in tests. Default: 6291456. */
  maxPayloadBytes?: number;
  /** Clock for record ages, in epoch millis (tests move it forward). Default: `Date.now`. */
  clock?: () => number;
  /** Receives infrastructure warnings. Default: `console.warn`. */
  logger?: MappingLogger;
}

/** Options after validation, with every default filled in. */
export type ResolvedMappingOptions = z.output<typeof TuningSchema> &
  Required<Pick<EventSourceMappingOptions, 'kinesis' | 'handler' | 'clock' | 'logger'>> & {
    mappingId: string;
    onFailure: FailureDestination | undefined;
    checkpointStore: CheckpointStore | undefined;
  };

const consoleLogger: MappingLogger = {
  warn: (message, fields) => console.warn(`[esm] ${message}`, fields ?? ''),
};

/** Validates options against Lambda's ranges; throws {@link EventSourceMappingConfigurationError}. */
export function resolveMappingOptions(options: EventSourceMappingOptions): ResolvedMappingOptions {
  const { kinesis, handler, onFailure, checkpointStore, clock, logger, ...tuning } = options;
  const issues: string[] = [];
  if (typeof handler !== 'function') issues.push('handler: must be a function');
  if (!kinesis || typeof kinesis.send !== 'function') issues.push('kinesis: must be a KinesisClient');
  if (onFailure !== undefined && typeof onFailure?.send !== 'function')
    issues.push('onFailure: must have send()');
  const parsed = TuningSchema.safeParse(tuning);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      issues.push(`${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  if (parsed.success && parsed.data.retryMaxDelayMillis < parsed.data.retryBaseDelayMillis) {
    issues.push('retryMaxDelayMillis: must be at least retryBaseDelayMillis');
  }
  if (issues.length > 0 || !parsed.success) {
    throw new EventSourceMappingConfigurationError(
      `invalid event source mapping options: ${issues.join('; ')}`,
      issues,
    );
  }
  return {
    ...parsed.data,
    mappingId: parsed.data.mappingId ?? `${parsed.data.functionName}/${parsed.data.streamName}`,
    kinesis,
    handler,
    onFailure,
    checkpointStore,
    clock: clock ?? Date.now,
    logger: logger ?? consoleLogger,
  };
}
