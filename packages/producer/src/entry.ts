import type { TransportRecord } from './transport/port.ts';

/** Where an accepted event is in its life. */
export type EntryState = 'waiting' | 'ready' | 'in_flight' | 'backoff' | 'settled';

/** How an event ended: acknowledged by the stream, or failed (see `DeliveryFailure`). */
export type EntryOutcome =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; reason: 'rejected' | 'stream_error' | 'retries_exhausted' | 'close_timeout' };

/**
 * One accepted event on its way to the stream: the record (opaque key, serialized event) and
 * its delivery state. Holds no parsed event data.
 */
export interface Entry extends TransportRecord {
  eventId: string;
  /** Record size as Kinesis counts it: data plus partition key, in bytes. */
  bytes: number;
  acceptedAtMillis: number;
  /** Acceptance order, for `flush()`. */
  seq: number;
  attempts: number;
  state: EntryState;
  /** A call carrying it ended without a definite answer. */
  mayBeOnStream: boolean;
  lastErrorCode: string | undefined;
  /** The next entry of the same partition key, sent only after this one settles. */
  next: Entry | undefined;
  /** Set by `sendAndWait()`. */
  waiter: ((outcome: EntryOutcome, entry: Entry) => void) | undefined;
}
