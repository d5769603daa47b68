import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { OutboxEntry, OutboxPort, OutboxResult } from '../ports.ts';
import { packInOrder } from '../support/pack.ts';
import { type RetryEnvironment, type RetryPolicy, retryWithBackoff } from '../support/retry.ts';
import { describeError } from '../support/safe-error.ts';

// PutRecords limits: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
/** Records per PutRecords call. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/** Bytes per PutRecords call, data and partition keys included. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** Bytes of one record's data. */
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;
/**
 * Bytes of messages the outbox packs into one record, by default: Kinesis bills puts in units of
 * 25 KB per record, so a record just under one unit carries dozens of events' messages (about 50
 * of ClinicBook's) for the price of one, and the SDK serializes one record entry instead of dozens.
 * https://aws.amazon.com/kinesis/data-streams/pricing/
 */
export const OUTBOX_RECORD_BYTES = 25_000;

/** Options of {@link createKinesisOutbox}. */
export interface KinesisOutboxOptions {
  kinesis: KinesisClient;
  /** The outbox stream, by name (kinesalite refuses calls that pass only a StreamARN). */
  streamName: string;
  /**
   * Most bytes of messages (and their separators) packed into one record; a larger message goes
   * in a record of its own. `1` puts every message in its own record. Default: {@link OUTBOX_RECORD_BYTES}.
   */
  maxRecordBytes?: number;
  /** Retry of failed entries and failed calls. Default: `DEFAULT_RETRY_POLICY`. */
  retry?: Partial<RetryPolicy>;
  /** Time and randomness of the retries (tests). Default: real time. */
  retryEnvironment?: RetryEnvironment;
}

// One Kinesis record: the entries whose messages it carries, in order.
interface Pending {
  indexes: number[];
  partitionKey: string;
  data: Uint8Array;
  errorCode: string;
}

/**
 * The outbox on a Kinesis stream. Messages are serialized once and packed in order into records of
 * up to `maxRecordBytes` (one JSON message per line, see `outboxMessagesOf`), as the Kinesis
 * Producer Library aggregates: the SDK's per-entry serialization was most of the outbox's cost,
 * and a put is billed per 25 KB of each record. The records are grouped into PutRecords calls
 * (500 records, 5 MiB), and the records Kinesis rejects (throttling, internal failure) are sent
 * again with backoff until the retry deadline. What still fails comes back as a failed result for
 * each of the record's messages; every message of a record shares its result.
 *
 * A record takes the partition key of its first message. Nothing downstream relies on the order of
 * one subject's messages across records: the control plane dedupes records by id and keeps
 * tombstones of erased tokens.
 *
 * @example const outbox = createKinesisOutbox({ kinesis: clients.kinesis, streamName: 'residency-outbox' });
 */
export function createKinesisOutbox(options: KinesisOutboxOptions): OutboxPort {
  const maxRecordBytes = Math.min(options.maxRecordBytes ?? OUTBOX_RECORD_BYTES, KINESIS_MAX_RECORD_BYTES);
  return {
    async send(entries: readonly OutboxEntry[]): Promise<OutboxResult[]> {
      const results: OutboxResult[] = new Array(entries.length);
      let pending = pack(entries, maxRecordBytes, results);
      const { value: failed } = await retryWithBackoff(
        async () => {
          pending = await putOnce(options, pending, results);
          return { done: pending.length === 0, value: pending };
        },
        options.retry,
        options.retryEnvironment,
      );
      for (const record of failed) {
        for (const index of record.indexes)
          results[index] = { ok: false, errorCode: record.errorCode || 'Unknown' };
      }
      return results;
    },
  };
}

// Packs the entries' messages, in order, into records of up to `maxRecordBytes`, one per line. A
// message over Kinesis's record limit gets its failed result here and is not sent.
function pack(entries: readonly OutboxEntry[], maxRecordBytes: number, results: OutboxResult[]): Pending[] {
  const lines: Array<{ index: number; line: string; size: number }> = [];
  entries.forEach((entry, index) => {
    const line = JSON.stringify(entry.message);
    const size = Buffer.byteLength(line, 'utf8');
    if (size > KINESIS_MAX_RECORD_BYTES) results[index] = { ok: false, errorCode: 'RecordTooLarge' };
    else lines.push({ index, line, size });
  });
  return packInOrder(lines, (l) => l.size, { maxBytes: maxRecordBytes, separatorBytes: 1 }).map((record) => ({
    indexes: record.map((l) => l.index),
    partitionKey: (entries[(record[0] as (typeof lines)[number]).index] as OutboxEntry).partitionKey,
    data: Buffer.from(record.map((l) => l.line).join('\n'), 'utf8'),
    errorCode: '',
  }));
}

async function putOnce(
  options: KinesisOutboxOptions,
  pending: Pending[],
  results: OutboxResult[],
): Promise<Pending[]> {
  const failed: Pending[] = [];
  for (const request of group(pending)) {
    try {
      const output = await options.kinesis.send(
        new PutRecordsCommand({
          StreamName: options.streamName,
          Records: request.map((p) => ({ PartitionKey: p.partitionKey, Data: p.data })),
        }),
      );
      request.forEach((record, i) => {
        const result = output.Records?.[i];
        if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
          const ok = { ok: true as const, shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
          for (const index of record.indexes) results[index] = ok;
        } else {
          failed.push({ ...record, errorCode: result?.ErrorCode ?? 'MissingResult' });
        }
      });
    } catch (error) {
      const { errorName } = describeError(error);
      for (const record of request) failed.push({ ...record, errorCode: errorName });
    }
  }
  return failed;
}

// PutRecords calls: 500 records and 5 MiB (data and partition keys) each.
function group(pending: readonly Pending[]): Pending[][] {
  return packInOrder(pending, (p) => p.data.length + Buffer.byteLength(p.partitionKey), {
    maxBytes: PUT_RECORDS_MAX_BYTES,
    maxItems: PUT_RECORDS_MAX_ENTRIES,
  });
}
