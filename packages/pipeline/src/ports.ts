import type { OutboxMessage } from '@residency/core';
import type { AggregateWindow, CellPartial, Observation } from '@residency/core/aggregates';
import type { IssueRef, QuarantineReason } from './ingest/decode.ts';
import type { RecordPosition } from './ingest/envelope.ts';

/** One message for the outbox stream. */
export interface OutboxEntry {
  /** The subject token for records (or the record id), the cell id for aggregates. */
  partitionKey: string;
  message: OutboxMessage;
}

/** What happened to one outbox entry, in input order. */
export type OutboxResult =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; errorCode: string };

/** The in-region outbox: the only way records and released aggregates reach the forwarder. */
export interface OutboxPort {
  /** Sends entries (retrying failed ones); resolves with one result per entry. Never throws for a failed entry. */
  send(entries: readonly OutboxEntry[]): Promise<OutboxResult[]>;
}

/** A record that cannot be processed, as it is kept in region. */
export interface QuarantineEntry {
  position: RecordPosition;
  reason: QuarantineReason;
  issues: readonly IssueRef[];
  /** Only for event types of the catalog. */
  eventType?: string;
  /** The record's bytes; encrypted before they are stored. */
  payload: Uint8Array;
  /** When the pipeline quarantined it, epoch millis. */
  receivedAtMillis: number;
}

/** Where malformed records go. Idempotent per (shard, sequence number). */
export interface QuarantinePort {
  /** Stores entries; one result per entry, in input order. Never throws for a failed entry. */
  put(entries: readonly QuarantineEntry[]): Promise<Array<{ ok: true } | { ok: false; errorCode: string }>>;
}

/** What applying a shard's observations did. */
export interface AggregateApplyResult {
  applied: number;
  late: number;
  duplicates: number;
  /** Records dropped because another record of the same event id counts it (a producer's repeat). */
  repeated: number;
  /** Sequence numbers whose contribution was not stored: the batch must be retried from the lowest. */
  retry: readonly string[];
  /** Late events by event type, for reporting. */
  lateByType: Readonly<Record<string, number>>;
  /**
   * (window, shard)s this batch took over from another writer (an environment that wrote them
   * before): each costs a claim and reads of what that writer put. Absent: the adapter has none.
   */
  takeovers?: number;
}

/** What an aggregates port began to read for one batch of a shard (see `AggregatePort.prepare`). */
export interface AggregatePreparation {
  readonly shardId: string;
}

/** The in-region windowed aggregates, fenced per (window, group, shard). */
export interface AggregatePort {
  /**
   * Optional: starts reading what `apply` will need of these windows of a shard, as soon as the
   * batch is decoded, so that the read's round trip overlaps the batch's tokenization and outbox
   * write instead of following them. It never throws and never fails a batch: `apply` reads again
   * whatever the preparation does not cover or could not read. Pass what it returns to `apply` of
   * the same batch only.
   */
  prepare?(shardId: string, windows: readonly AggregateWindow[]): AggregatePreparation;
  /**
   * Applies observations of one shard (ascending sequence order) exactly once: events already
   * applied by an earlier delivery are skipped, late ones are counted instead.
   */
  apply(
    shardId: string,
    observations: readonly Observation[],
    options: { nowMillis: number; prepared?: AggregatePreparation },
  ): Promise<AggregateApplyResult>;
}

/** What the closer needs to know about a window. */
export interface WindowState {
  /** `missing` when partials exist but the window item does not (a registration cut short). */
  status: 'open' | 'closed' | 'missing';
  /** Shards that wrote partials in the window. */
  shardIds: readonly string[];
  /** Late events counted so far, all shards. */
  lateEvents: number;
}

/**
 * A window's entry in the epsilon ledger: how its cells are released, decided once, before the
 * first of them is (see the window closer).
 */
export interface EpsilonLedgerEntry {
  /** `discrete-laplace`, or `none` for a window released without noise (its epsilon is 0). */
  mechanism: string;
  epsilon: number;
  k: number;
  /** How the budget is spent per cell. */
  composition: string;
  /** Secret seed of the window's noise: a retried release draws the same noise. */
  seed: Uint8Array;
  recordedAtMillis: number;
}

/** What a closed window released, as recorded on the window. */
export interface WindowCloseSummary {
  releasedCells: number;
  suppressedCells: number;
  suppressedEvents: number;
  lateEvents: number;
  epsilon?: number;
  closedAtMillis: number;
}

/**
 * A failed close of a window, as recorded on its entry in the open index: a count and a time,
 * nothing of the window's data.
 */
export interface CloseFailure {
  /** Failed closes of the window in a row, this one included (a closed window leaves the index). */
  closeFailures: number;
  /** Until when the closer tries the other due windows first (epoch millis). */
  retryAfterMillis: number;
}

/** A window in the open index, with its failed closes once one failed. */
export interface OpenWindow extends AggregateWindow, Partial<CloseFailure> {}

/** The window closer's view of the aggregates table. */
export interface WindowStore {
  /** Windows in the open index, oldest first. */
  listOpenWindows(): Promise<OpenWindow[]>;
  readWindow(window: AggregateWindow): Promise<WindowState>;
  /** Every shard's partials of the window. */
  readPartials(window: AggregateWindow, shardIds: readonly string[]): Promise<CellPartial[]>;
  /** Records the entry unless the window has one; resolves with the stored entry (first writer wins). */
  recordLedger(window: AggregateWindow, entry: EpsilonLedgerEntry): Promise<EpsilonLedgerEntry>;
  markClosed(window: AggregateWindow, summary: WindowCloseSummary): Promise<void>;
  /** Drops the window from the open index (after it is marked closed). */
  removeOpen(window: AggregateWindow): Promise<void>;
  /**
   * Records a failed close on the window's entry in the open index (replacing the previous
   * record); does nothing once the window has left the index.
   */
  recordCloseFailure(window: AggregateWindow, failure: CloseFailure): Promise<void>;
}
