import type { CatalogDefinition, ValidateOptions } from '@residency/core';
import type { CanaryOptions } from './canary/injector.ts';
import type { ClinicBookDefinition, ProducerEvent } from './event-types.ts';
import type { DeliveryFailure } from './report.ts';
import type { Transport } from './transport/port.ts';

/** Where the producer reports what it cannot otherwise return (never event data). */
export interface ProducerLogger {
  warn(message: string): void;
}

/**
 * Options of `createProducer`. Only `streamName` and `region` are required (plus
 * `partitionKeySecret` outside local mode). Every size and time has its unit in its name.
 */
export interface ProducerOptions<C extends CatalogDefinition = ClinicBookDefinition> {
  /** Name of the Kinesis stream in the data region. Required. */
  streamName: string;
  /** AWS region the producer talks to; must equal `dataRegion`. Required. */
  region: string;
  /** The data region events must stay in. Default: `region`. */
  dataRegion?: string;
  /** Kinesis endpoint override: loopback (local mode) or an AWS endpoint of the data region. Default: the regional endpoint. */
  endpoint?: string;
  /** ARN of the stream, if you have it: refused unless it is in the data region and names `streamName`. Default: unset. */
  streamArn?: string;
  /** The event catalog (a `defineCatalog` result). Default: ClinicBook. */
  catalog?: C;
  /** Tenant → country, for reading local phone formats during validation. Default: `BD` for every tenant. */
  countryOf?: ValidateOptions['countryOf'];
  /**
   * Key of the partition-key HMAC, at least 32 bytes, loaded from in-region config (SSM
   * SecureString in the data region). Required unless `endpoint` is loopback, where a random
   * per-process secret is generated (and a warning logged): keys still spread, but a patient's
   * shard changes across restarts. Default: none.
   */
  partitionKeySecret?: Uint8Array;
  /** Longest time a partial batch waits for more events, in milliseconds. Default: 100. */
  lingerMillis?: number;
  /** Records per PutRecords, at most 500. Default: 500. */
  maxBatchRecords?: number;
  /** Bytes per PutRecords (data and partition keys), between 1 MiB and 5 MiB. Default: 5 MiB (5242880). */
  maxBatchBytes?: number;
  /** PutRecords calls in flight at once. Default: 4. */
  maxConcurrentRequests?: number;
  /** A PutRecords call not answered within this time is aborted and its records retried, in milliseconds. Default: 30000. */
  requestTimeoutMillis?: number;
  /** Accepted events not yet acknowledged or failed, past which `send` waits (or rejects). Default: 10000. */
  maxQueuedEvents?: number;
  /** Bytes of such events, at least 1 MiB. Default: 32 MiB (33554432). */
  maxQueuedBytes?: number;
  /**
   * `send` calls that may wait for room at once (their events are validated and held in memory
   * meanwhile, up to `maxQueuedBytes` of them too); past either bound `send` rejects with
   * `QueueFullError` even under `whenQueueFull: 'wait'`, so a caller that never awaits cannot
   * grow memory without bound. Default: 100000.
   */
  maxWaitingSenders?: number;
  /** When the queue is full: `wait` until there is room (backpressure) or `reject` with `QueueFullError`. Default: `wait`. */
  whenQueueFull?: 'wait' | 'reject';
  /** First retry backoff, before jitter, in milliseconds. Default: 100. */
  retryBaseDelayMillis?: number;
  /** Longest retry backoff, in milliseconds. Default: 5000. */
  retryMaxDelayMillis?: number;
  /** No retry starts later than this after the event was accepted, in milliseconds. Default: 120000. */
  retryDeadlineMillis?: number;
  /** Called once for every accepted event that fails (it is also in the next report). Default: none. */
  onFailure?: (failure: DeliveryFailure) => void;
  /** Seed synthetic canary identities (see README). Default: off. */
  canaries?: CanaryOptions<ProducerEvent<NoInfer<C>>>;
  /** The stream port. Default: the Kinesis transport for `streamName`, `region` and `endpoint`. */
  transport?: Transport;
  /** Warnings (generated secret, a throwing `onFailure`). Default: `console`. */
  logger?: ProducerLogger;
}

/** Default of {@link ProducerOptions.lingerMillis}. */
export const DEFAULT_LINGER_MILLIS = 100;
/** Default of {@link ProducerOptions.maxConcurrentRequests}. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 4;
/** Default of {@link ProducerOptions.requestTimeoutMillis}. */
export const DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;
/** Default of {@link ProducerOptions.maxQueuedEvents}. */
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
/** Default of {@link ProducerOptions.maxQueuedBytes}. */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** Default of {@link ProducerOptions.maxWaitingSenders}. */
export const DEFAULT_MAX_WAITING_SENDERS = 100_000;
/** Default of `close({ timeoutMillis })`. */
export const DEFAULT_CLOSE_TIMEOUT_MILLIS = 30_000;
