import { randomBytes } from 'node:crypto';
import {
  assertArnInRegion,
  assertAwsRegion,
  assertEndpointInRegion,
  assertRegion,
  ConfigurationError,
  isLoopbackUrl,
} from '@residency/aws';
import {
  type CatalogDefinition,
  type CompiledCatalog,
  clinicbook,
  clinicbookDefinition,
  compileCatalog,
} from '@residency/core';
import { MAX_BYTES_PER_RECORD, MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './limits.ts';
import {
  DEFAULT_LINGER_MILLIS,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_MAX_WAITING_SENDERS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
  type ProducerLogger,
  type ProducerOptions,
} from './options.ts';
import { MIN_PARTITION_KEY_SECRET_BYTES } from './partition-key.ts';
import {
  BACKOFF_BASE_MILLIS,
  BACKOFF_MAX_MILLIS,
  RETRY_DEADLINE_MILLIS,
  type RetryPolicy,
} from './retry-policy.ts';

/** Options with defaults applied, checked. */
export interface ProducerSettings {
  catalog: CompiledCatalog;
  partitionKeySecret: Uint8Array;
  lingerMillis: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  maxConcurrentRequests: number;
  requestTimeoutMillis: number;
  maxQueuedEvents: number;
  maxQueuedBytes: number;
  maxWaitingSenders: number;
  whenQueueFull: 'wait' | 'reject';
  retry: RetryPolicy;
  logger: ProducerLogger;
}

// Kinesis stream names: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * Precondition of every producer: the region is the data region, an endpoint override is
 * loopback or in the data region, a stream ARN names the data region and the stream. Throws
 * `RegionMismatchError` or `ConfigurationError`; nothing is sent anywhere before this passes.
 */
export function assertProducerTarget(options: ProducerOptions<CatalogDefinition>): void {
  if (typeof options.streamName !== 'string' || !STREAM_NAME.test(options.streamName)) {
    throw new ConfigurationError('streamName must be 1-128 letters, digits, _ . -', 'streamName');
  }
  assertAwsRegion(options.region);
  const dataRegion = assertAwsRegion(options.dataRegion ?? options.region, 'dataRegion');
  assertRegion(options.region, dataRegion, 'producer region');
  if (options.endpoint !== undefined) assertEndpointInRegion(options.endpoint, dataRegion, 'kinesis');
  if (options.streamArn !== undefined) {
    const arn = assertArnInRegion(options.streamArn, dataRegion, 'Kinesis stream');
    if (arn.service !== 'kinesis' || arn.resource !== `stream/${options.streamName}`) {
      throw new ConfigurationError(
        `streamArn does not name the Kinesis stream '${options.streamName}'`,
        'streamArn',
      );
    }
  }
}

/** Applies defaults and checks every option; see {@link ProducerOptions} for the defaults. */
export function resolveSettings<C extends CatalogDefinition>(options: ProducerOptions<C>): ProducerSettings {
  assertProducerTarget(options);
  const logger = quietLogger(options.logger ?? console);
  const catalog =
    options.catalog === undefined || (options.catalog as CatalogDefinition) === clinicbookDefinition
      ? clinicbook
      : compileCatalog(options.catalog);
  return {
    catalog,
    partitionKeySecret: resolveSecret(options, logger),
    lingerMillis: int(options.lingerMillis, DEFAULT_LINGER_MILLIS, 0, 60_000, 'lingerMillis'),
    maxBatchRecords: int(
      options.maxBatchRecords,
      MAX_RECORDS_PER_REQUEST,
      1,
      MAX_RECORDS_PER_REQUEST,
      'maxBatchRecords',
    ),
    maxBatchBytes: int(
      options.maxBatchBytes,
      MAX_BYTES_PER_REQUEST,
      MAX_BYTES_PER_RECORD,
      MAX_BYTES_PER_REQUEST,
      'maxBatchBytes',
    ),
    maxConcurrentRequests: int(
      options.maxConcurrentRequests,
      DEFAULT_MAX_CONCURRENT_REQUESTS,
      1,
      64,
      'maxConcurrentRequests',
    ),
    requestTimeoutMillis: int(
      options.requestTimeoutMillis,
      DEFAULT_REQUEST_TIMEOUT_MILLIS,
      1,
      600_000,
      'requestTimeoutMillis',
    ),
    maxQueuedEvents: int(
      options.maxQueuedEvents,
      DEFAULT_MAX_QUEUED_EVENTS,
      1,
      10_000_000,
      'maxQueuedEvents',
    ),
    maxQueuedBytes: int(
      options.maxQueuedBytes,
      DEFAULT_MAX_QUEUED_BYTES,
      MAX_BYTES_PER_RECORD,
      2 ** 40,
      'maxQueuedBytes',
    ),
    maxWaitingSenders: int(
      options.maxWaitingSenders,
      DEFAULT_MAX_WAITING_SENDERS,
      0,
      10_000_000,
      'maxWaitingSenders',
    ),
    whenQueueFull: oneOf(options.whenQueueFull, ['wait', 'reject'] as const, 'whenQueueFull'),
    retry: {
      baseDelayMillis: int(
        options.retryBaseDelayMillis,
        BACKOFF_BASE_MILLIS,
        1,
        60_000,
        'retryBaseDelayMillis',
      ),
      maxDelayMillis: int(options.retryMaxDelayMillis, BACKOFF_MAX_MILLIS, 1, 600_000, 'retryMaxDelayMillis'),
      deadlineMillis: int(
        options.retryDeadlineMillis,
        RETRY_DEADLINE_MILLIS,
        0,
        86_400_000,
        'retryDeadlineMillis',
      ),
    },
    logger,
  };
}

function resolveSecret(options: ProducerOptions<CatalogDefinition>, logger: ProducerLogger): Uint8Array {
  const secret: unknown = options.partitionKeySecret;
  if (secret !== undefined) {
    // A string (an unparsed env var) has no byteLength and would be taken as a key of any length.
    if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_PARTITION_KEY_SECRET_BYTES) {
      throw new ConfigurationError(
        `partitionKeySecret must be a Uint8Array of at least ${MIN_PARTITION_KEY_SECRET_BYTES} bytes`,
        'partitionKeySecret',
      );
    }
    // A zero-filled (or otherwise constant) buffer is a placeholder or a failed load, not a key.
    if (secret.every((byte) => byte === secret[0])) {
      throw new ConfigurationError(
        'partitionKeySecret has every byte equal: a placeholder, not a key',
        'partitionKeySecret',
      );
    }
    // A copy: a caller zeroing or reusing its buffer must not change every key mid-process.
    return Uint8Array.from(secret);
  }
  // Local mode is a loopback endpoint, nothing else: a custom transport may well reach real AWS.
  if (options.endpoint === undefined || !isLoopbackUrl(options.endpoint)) {
    throw new ConfigurationError(
      'partitionKeySecret is required outside local mode: load it from in-region config (SSM SecureString)',
      'partitionKeySecret',
    );
  }
  logger.warn(
    'producer: partitionKeySecret not set; using a random per-process secret (local mode). ' +
      "Partition keys still spread, but a patient's shard changes on every restart.",
  );
  return randomBytes(32);
}

function int(value: number | undefined, fallback: number, min: number, max: number, setting: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new ConfigurationError(`${setting} must be an integer from ${min} to ${max}`, setting);
  }
  return resolved;
}

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], setting: string): T {
  const resolved = value ?? (allowed[0] as T);
  if (!allowed.includes(resolved))
    throw new ConfigurationError(`${setting} must be one of ${allowed.join(', ')}`, setting);
  return resolved;
}

// The producer warns from inside its delivery path: a logger that throws must not break it.
function quietLogger(logger: ProducerLogger): ProducerLogger {
  return {
    warn(message) {
      try {
        logger.warn(message);
      } catch {
        // Nothing else to tell it with.
      }
    },
  };
}
