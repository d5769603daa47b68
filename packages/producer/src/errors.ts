import type { FailureReason } from './report.ts';

/** `send()` was called after `close()`. The event was not accepted. */
export class ProducerClosedError extends Error {
  override readonly name = 'ProducerClosedError';
  constructor() {
    super('the producer is closed; the event was not accepted');
  }
}

/**
 * The queue was full and the producer was created with `whenQueueFull: 'reject'`.
 * The event was not accepted; send it again later.
 */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(
    readonly queuedEvents: number,
    readonly queuedBytes: number,
  ) {
    super(
      `the producer queue is full (${queuedEvents} events, ${queuedBytes} bytes); the event was not accepted`,
    );
  }
}

/** The serialized event is over the Kinesis record limit (1 MiB with its partition key). Not accepted. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  constructor(
    readonly eventType: string,
    readonly recordBytes: number,
    readonly maxRecordBytes: number,
  ) {
    super(
      `a ${eventType} event is ${recordBytes} bytes as a record; Kinesis accepts at most ${maxRecordBytes}`,
    );
  }
}

/**
 * `sendAndWait()` only: the event was accepted but not delivered. The same failure is also in
 * the next flush/close report and passed to `onFailure`. Carries no event data.
 */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
  constructor(
    readonly eventId: string,
    readonly reason: FailureReason,
    readonly errorCode?: string,
  ) {
    super(`event ${eventId} was not delivered: ${reason}${errorCode ? ` (${errorCode})` : ''}`);
  }
}

/**
 * A transport call failed as a whole. Adapters translate SDK exceptions into this at the
 * boundary; `retryable` decides whether the producer retries the call's records.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    /** The service answered (an HTTP status came back), so no record of the call was written. */
    readonly definite: boolean,
    options?: ErrorOptions,
  ) {
    super(`PutRecords failed: ${code}${retryable ? ' (retryable)' : ''}`, options);
  }
}
