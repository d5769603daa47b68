import type { CatalogDefinition } from '@residency/core';
import type { ClinicBookDefinition, ProducerEvent } from './event-types.ts';
import type { DeliveryReport } from './report.ts';

/** What `send()` resolves with once the event is accepted (queued), before it is acknowledged. */
export interface SendReceipt {
  eventId: string;
}

/** What `sendAndWait()` resolves with: where the stream stored the event. */
export interface Acknowledgement {
  eventId: string;
  shardId: string;
  sequenceNumber: string;
}

/** Counters a caller can read at any time and export (all events, canaries included). */
export interface ProducerCounters {
  /** Events accepted into the queue. */
  accepted: number;
  /** Events acknowledged by the stream. */
  sent: number;
  /** Re-attempts of records after throttling or a retryable failure. */
  retried: number;
  /** Accepted events that failed (each is reported once). */
  failed: number;
  /** Accepted events not yet acknowledged or failed. */
  queueDepth: number;
  /** Bytes of those events, as records. */
  queuedBytes: number;
  /** `send` calls waiting for room in the queue. */
  waitingSenders: number;
  /** PutRecords calls in flight. */
  inFlightRequests: number;
  /** Canary events seeded. */
  canaries: number;
}

/** The producer an app holds for its lifetime. See `createProducer`. */
export interface Producer<C extends CatalogDefinition = ClinicBookDefinition> {
  /**
   * Validates the event and queues it; resolves when it is accepted, waiting while the queue is
   * full. Rejects with `EventValidationError` (field names and reasons, no values),
   * `RecordTooLargeError`, `QueueFullError` (`whenQueueFull: 'reject'`) or `ProducerClosedError`.
   * A rejected event was not accepted; an accepted one is acknowledged or reported failed.
   */
  send(event: ProducerEvent<C>): Promise<SendReceipt>;
  /** Like `send`, then waits for the stream: resolves with the acknowledgement or rejects with `DeliveryFailedError`. */
  sendAndWait(event: ProducerEvent<C>): Promise<Acknowledgement>;
  /** Sends everything queued now without waiting for the linger time; resolves once every event accepted or waiting before the call is settled, with every settlement since the previous report. */
  flush(): Promise<DeliveryReport>;
  /** Stops accepting, flushes, releases connections. At the timeout, what is left is reported failed (`close_timeout`). Idempotent. */
  close(options?: { timeoutMillis?: number }): Promise<DeliveryReport>;
  /** A snapshot of the counters, to read or export (for example as metrics every minute). */
  counters(): ProducerCounters;
}
