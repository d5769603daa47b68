import { dayPartitionKey, dayPartitionKeys } from '@residency/aws';
/** Where a batch stands in the egress log. `sending` is written before the first byte leaves. */
export type EgressStatus = 'sending' | 'acknowledged' | 'rejected' | 'failed';

/**
 * One batch that crossed (or was about to cross) the border: the audit evidence. Ids, counts and
 * digests only, never content.
 */
export interface EgressLogEntry {
  batchId: string;
  kind: 'records' | 'aggregates' | 'erasure';
  /** Items in the batch. */
  count: number;
  /**
   * SHA-256 (hex) of the signed request body exactly as sent (of the last attempt: each attempt is
   * signed afresh with its own `sentAt`). The control plane records the digest of what it received.
   */
  sha256: string;
  /** SHA-256 (hex) of the items (`JSON.stringify(items)`): the same for every attempt and on both sides. */
  itemsSha256: string;
  /**
   * The items' ids in batch order: record ids (the app's random event UUIDs), aggregate cell ids
   * or erasure notice ids. Ids the control plane stores too, never content: with them the log
   * reconciles item by item against what the control plane holds.
   */
  itemIds: string[];
  /** The control-plane origin it went to. */
  destination: string;
  /** ISO time of the first attempt. */
  sentAt: string;
  status: EgressStatus;
  /** Attempts made (each re-signed with a fresh timestamp; the body digest is of the last one). */
  attempts?: number;
  /** The control plane's HTTP status, when it answered. */
  httpStatus?: number;
  /** Why it was rejected or failed (a code, never data). */
  reason?: string;
  /** Items the control plane stored, and items it already had (dedupe). */
  stored?: number;
  duplicates?: number;
}

/** The final outcome of a batch, written over its `sending` entry. */
export type EgressLogOutcome = Pick<
  EgressLogEntry,
  'status' | 'attempts' | 'httpStatus' | 'reason' | 'stored' | 'duplicates' | 'sha256'
>;

/** Port: the in-region egress log. Both writes must succeed before the forwarder treats a batch as delivered. */
export interface EgressLog {
  /** Records that a batch is about to be sent (status `sending`). */
  begin(entry: Omit<EgressLogEntry, 'status'>): Promise<void>;
  /** Records how it ended. */
  finish(entry: Omit<EgressLogEntry, 'status'>, outcome: EgressLogOutcome): Promise<void>;
}

/**
 * The egress log's partition key of an entry: its UTC day, spread over `DAY_PARTITIONS` parts by
 * batch id. Every batch writes its entry twice, up to ~20 KB (500 item ids): on one partition a
 * day, the log alone would cap the forwarder near 12,000 messages a second.
 */
export function egressPartitionKey(entry: Pick<EgressLogEntry, 'sentAt' | 'batchId'>): string {
  return dayPartitionKey('EGRESS', entry.sentAt.slice(0, 10), entry.batchId);
}

/** Every partition key of one UTC day (`yyyy-mm-dd`) of the egress log. */
export function egressDayPartitionKeys(day: string): string[] {
  return dayPartitionKeys('EGRESS', day);
}

/** The egress log's sort key: time first, so a day reads in order. */
export function egressSortKey(entry: Pick<EgressLogEntry, 'sentAt' | 'batchId'>): string {
  return `${entry.sentAt}#${entry.batchId}`;
}
