import { dayPartitionKey } from '@residency/aws';
import type { IssueRef, QuarantineReason } from '../ingest/decode.ts';
import type { RecordPosition } from '../ingest/envelope.ts';
import type { QuarantineEntry } from '../ports.ts';
import type { PayloadContext, SealedPayload } from './payload-encryptor.ts';

/** Most issues kept per record; the rest are counted in `issueCount`. */
export const MAX_ISSUES_PER_RECORD = 50;
/**
 * Most payload bytes kept per record. A Kinesis record can hold 1 MiB and a DynamoDB item 400 KB:
 * longer payloads are truncated (and flagged), never dropped.
 */
export const MAX_QUARANTINED_PAYLOAD_BYTES = 300 * 1024;

/**
 * A quarantine table item. Keyed by the record's arrival day and its place in the stream, so a
 * redelivered record overwrites its own item (idempotent) and a day's quarantine is one query.
 */
export interface QuarantineItem {
  /** `Q#<yyyy-mm-dd>#<part>`: the UTC day Kinesis received the record, and one of its 16 parts. */
  pk: string;
  /** `<shardId>#<sequenceNumber>`. */
  sk: string;
  kind: 'quarantine';
  reason: QuarantineReason;
  /** Field paths and codes, never values. */
  issues: IssueRef[];
  issueCount: number;
  eventType?: string;
  shardId: string;
  sequenceNumber: string;
  eventSourceARN: string;
  /** When Kinesis received the record (ISO). */
  arrivedAt: string;
  /** When the pipeline quarantined it (ISO; the latest delivery). */
  receivedAt: string;
  /** The record's bytes, sealed (see `createKmsPayloadEncryptor`). */
  payload: SealedPayload;
  payloadBytes: number;
  payloadTruncated: boolean;
  /** When the table's TTL may delete the item, epoch seconds (the quarantine's retention). */
  expiresAt?: number;
}

/**
 * Days a quarantined record is kept after its latest delivery, for operators to look at and
 * replay: it holds personal data (sealed), so it is not kept for ever. Default of the quarantine's
 * `retentionDays`.
 */
export const DEFAULT_QUARANTINE_RETENTION_DAYS = 30;

/** The key of a record's quarantine item. */
export function quarantineKeyOf(position: RecordPosition): { pk: string; sk: string } {
  const sk = `${position.shardId}#${position.sequenceNumber}`;
  // The UTC day of arrival, spread over the day's partitions by position (see `dayPartitionKey`).
  return { pk: dayPartitionKey('Q', new Date(position.arrivalMillis).toISOString().slice(0, 10), sk), sk };
}

/** The context a quarantined payload is sealed under: it opens only as the record it was. */
export function payloadContextOf(position: RecordPosition): PayloadContext {
  return {
    shardId: position.shardId,
    sequenceNumber: position.sequenceNumber,
    eventSourceARN: position.eventSourceARN,
  };
}

/** Builds the item of an entry whose (possibly truncated) payload is already sealed. */
export function quarantineItemOf(
  entry: QuarantineEntry,
  payload: SealedPayload,
  retentionDays = DEFAULT_QUARANTINE_RETENTION_DAYS,
): QuarantineItem {
  const { position } = entry;
  return {
    ...quarantineKeyOf(position),
    kind: 'quarantine',
    reason: entry.reason,
    issues: entry.issues.slice(0, MAX_ISSUES_PER_RECORD).map(({ path, code }) => ({ path, code })),
    issueCount: entry.issues.length,
    ...(entry.eventType ? { eventType: entry.eventType } : {}),
    shardId: position.shardId,
    sequenceNumber: position.sequenceNumber,
    eventSourceARN: position.eventSourceARN,
    arrivedAt: new Date(position.arrivalMillis).toISOString(),
    receivedAt: new Date(entry.receivedAtMillis).toISOString(),
    payload,
    payloadBytes: entry.payload.length,
    payloadTruncated: entry.payload.length > MAX_QUARANTINED_PAYLOAD_BYTES,
    expiresAt: Math.floor(entry.receivedAtMillis / 1000) + retentionDays * 86_400,
  };
}
