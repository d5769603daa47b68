import type { AggregateCell, OutboundRecord } from '@residency/core';

/** Dimensions the counts API groups by. `dimension` needs a dimension name (an attribute). */
export type CountBy = 'tenant' | 'type' | 'day' | 'dimension';

/** One count. */
export interface CountRow {
  key: string;
  count: number;
}

/** A batch the control plane accepted: dedupe key and the reconciliation record for the egress log. */
export interface StoredBatch {
  batchId: string;
  kind: 'records' | 'aggregates' | 'erasure';
  count: number;
  keyId: string;
  sentAt: string;
  receivedAt: string;
  /** SHA-256 (hex) of the request body as received (the forwarder's egress log has the digest of what it sent). */
  sha256: string;
  /** SHA-256 (hex) of the items, the same for every attempt of the batch. */
  itemsSha256: string;
  stored: number;
  duplicates: number;
}

/** An alert: something that must not happen did (a refused batch, a canary). Codes, never values. */
export interface Alert {
  id: string;
  at: string;
  /** `pii`, `schema`, `canary`, `signature`, `stale`, ... */
  reason: string;
  batchId?: string;
  keyId?: string;
  rules?: string[];
  paths?: string[];
  /** Which canary fired (a label from the detector, never the text). */
  canary?: string;
  /** How many items the alert is about (`conflict`: records not kept). */
  count?: number;
}

/**
 * What claiming a batch found: this delivery may store it (`claimed`, with the claim that
 * {@link ControlPlaneStore.completeBatch} needs), it was stored before (`stored`: a duplicate), or
 * another delivery of it holds a live claim (`busy`: answer so that the forwarder retries later).
 */
export type BatchClaim =
  | { state: 'claimed'; claim: string }
  | { state: 'stored'; batch: StoredBatch }
  | { state: 'busy' };

/** What storing a batch's items did. */
export interface StoreResult {
  /** Items this batch stored, in this delivery or in an earlier one of the same batch id that did not finish. */
  stored: number;
  /** Items already there (same record id or cell id). */
  duplicates: number;
  /** Records not stored because a token in them was erased before they arrived. */
  suppressed: number;
  /**
   * Of the duplicates, records whose id was stored by another batch with other content: an app
   * that gave two events one id. The first stays; present only when there are some.
   */
  conflicts?: number;
}

/** One row exported by {@link ControlPlaneStore.exportAll}. */
export type ExportRow =
  | { kind: 'record'; record: OutboundRecord }
  | { kind: 'aggregate'; aggregate: AggregateCell };

/** A query for an aggregate time series. */
export interface AggregateQuery {
  type: string;
  /** One tenant, or every tenant when omitted. */
  tenant?: string;
  /** Inclusive ISO lower bound on `windowStart`. */
  from?: string;
  /** Exclusive ISO upper bound on `windowStart`. */
  to?: string;
  /**
   * At most about this many cells (whole windows only; default and cap {@link MAX_SERIES_CELLS}):
   * the newest windows in the range come first, so an open query stays a bounded response.
   */
  limit?: number;
}

/** The largest `limit` of an aggregate query: cells are ~1 KB of JSON, a Function URL answers ≤ 6 MB. */
export const MAX_SERIES_CELLS = 2_000;

/** The cells of an {@link AggregateQuery}, oldest window first. */
export interface AggregateSeries {
  cells: AggregateCell[];
  /**
   * True when older windows in the range were left out: ask again with `to` = {@link nextTo}
   * for the windows before these.
   */
  truncated: boolean;
  /** When truncated: the start of the oldest window returned (an exclusive `to` for the next page). */
  nextTo?: string;
}

/**
 * Port: the control plane's storage. Idempotent everywhere: storing the same record or cell twice
 * stores it once, and each total moves once per record however often a batch is delivered, also
 * when a delivery died part way (see the package README, "Totals when a delivery dies part way").
 *
 * A batch is stored under a claim: {@link claimBatch}, then its items, then {@link completeBatch}.
 */
export interface ControlPlaneStore {
  /** A completed batch (its dedupe and reconciliation record), or undefined. */
  getBatch(batchId: string): Promise<StoredBatch | undefined>;
  /**
   * Claims a batch for this delivery for `leaseMillis`, unless it is stored or another delivery's
   * claim is still live. The lease must outlast the ingest's timeout: a delivery whose claim
   * lapsed may be taken over while it still runs.
   */
  claimBatch(batchId: string, lease: { nowMillis: number; leaseMillis: number }): Promise<BatchClaim>;
  /**
   * Records the batch as stored, if `claim` still holds it, then retires the marks its totals
   * left (`marksLeft`: how many could not be removed; they stay, harmless). Not `completed` when
   * another delivery took the batch over (that delivery completes it).
   */
  completeBatch(batch: StoredBatch, claim: string): Promise<{ completed: boolean; marksLeft: number }>;
  putRecords(
    records: readonly OutboundRecord[],
    meta: { batchId: string; receivedAt: string },
  ): Promise<StoreResult>;
  putAggregates(
    cells: readonly AggregateCell[],
    meta: { batchId: string; receivedAt: string },
  ): Promise<StoreResult>;
  /**
   * Deletes every row of these tokens and leaves tombstones so that late records are not stored.
   * `batchId`: the erasure batch; its totals move once however often it is delivered.
   */
  erase(
    tokens: readonly string[],
    meta: { batchId: string },
  ): Promise<{ deletedRecords: number; deletedRows: number }>;
  putAlert(alert: Alert): Promise<void>;
  listAlerts(day: string): Promise<Alert[]>;
  counts(by: CountBy, options?: { dimension?: string; tenant?: string }): Promise<CountRow[]>;
  distinctPatients(tenant: string, day: string): Promise<number>;
  aggregateSeries(query: AggregateQuery): Promise<AggregateSeries>;
  /** Event types that have released aggregate cells. */
  aggregateTypes(): Promise<string[]>;
  /** Every record and aggregate cell held. */
  exportAll(): AsyncIterable<ExportRow>;
  /** Every stored record id (tests and reconciliation). A scan: use `storedRecordIds` to poll. */
  recordIds(): Promise<string[]>;
  /** Which of these record ids are stored: reads by key (100 a call), so a poll costs what it asks. */
  storedRecordIds(recordIds: readonly string[]): Promise<Set<string>>;
}
