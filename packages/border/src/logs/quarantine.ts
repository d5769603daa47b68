import { dayPartitionKey, dayPartitionKeys } from '@residency/aws';
/**
 * One outbox record the egress guard blocked. Where it was and why, never what it contained: a
 * record that tripped the PII scan holds personal data by definition, so not even a digest of it
 * is kept (an unkeyed hash of a message whose other fields are known in region would fall to a
 * dictionary of the identifier). The record itself stays in the in-region outbox stream for its
 * retention period, where its position (shard, sequence number, place in the record) finds it.
 */
export interface QuarantineEntry {
  /** Always `outbox`: the quarantine table is shared with the ingest, whose entries name the events stream. */
  stream: 'outbox';
  /** The outbound record's id (the event id: a random UUID, not personal), so a run can account for it. */
  recordId?: string;
  shardId: string;
  sequenceNumber: string;
  /**
   * Which message of its record (from 0), when the record carries more than one: the outbox packs
   * messages into records (see `outboxMessagesOf`). Absent for a record of one message.
   */
  subSequenceNumber?: number;
  /** `pii:<rule>` (the first rule that fired), `schema`, or `rejected:<code>` (refused by the control plane). */
  reason: string;
  /** Every PII rule that fired (empty for schema failures). */
  rules: string[];
  /** JSON paths that failed, sanitized (no keys that could carry data). */
  paths: string[];
  /** Outbox message kind, when it parsed that far. */
  kind?: string;
  /** ISO time Kinesis received the record (stable across retries: it names the partition). */
  arrivedAt: string;
  /** ISO time the forwarder blocked it. */
  receivedAt: string;
}

/** Port: the in-region quarantine. Idempotent per (shardId, sequenceNumber, subSequenceNumber). */
export interface Quarantine {
  put(entries: readonly QuarantineEntry[]): Promise<void>;
}

/**
 * The quarantine's partition key: the UTC day of arrival, spread over `DAY_PARTITIONS` parts by
 * the entry's sort key ({@link quarantineSortKey}), as the ingest's entries in the same table are,
 * so a flood of bad input does not throttle one partition.
 */
export function quarantinePartitionKey(entry: Pick<QuarantineEntry, 'arrivedAt'>, sortKey: string): string {
  return dayPartitionKey('Q', entry.arrivedAt.slice(0, 10), sortKey);
}

/** Every partition key of one UTC day (`yyyy-mm-dd`) of the quarantine (the ingest's entries too). */
export function quarantineDayPartitionKeys(day: string): string[] {
  return dayPartitionKeys('Q', day);
}

/**
 * The quarantine's sort key: the message's outbox position (its record's, and its place in the
 * record when the record carries several), so a redelivery overwrites, never duplicates. Prefixed
 * with the stream: positions of the events stream (the ingest's entries, in the same table) can
 * have the same shard id and sequence number.
 */
export function quarantineSortKey(
  entry: Pick<QuarantineEntry, 'shardId' | 'sequenceNumber' | 'subSequenceNumber'>,
): string {
  const position = `outbox#${entry.shardId}#${entry.sequenceNumber}`;
  return entry.subSequenceNumber === undefined ? position : `${position}#${entry.subSequenceNumber}`;
}
