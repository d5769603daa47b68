import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { OutboxEntry, OutboxPort, OutboxResult } from '../ports.ts';
import { type RetryEnvironment, type RetryPolicy, retryWithBackoff } from '../support/retry.ts';
import { describeError } from '../support/safe-error.ts';

// PutRecords limits: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
/** Records per PutRecords call. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/** Bytes per PutRecords call, data and partition keys included. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** Bytes of one record's data. */
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

/** Options of {@link createKinesisOutbox}. */
export interface KinesisOutboxOptions {
  kinesis: KinesisClient;
  /** The outbox stream, by name (kinesalite refuses calls that pass only a StreamARN). */
  streamName: string;
  /** Retry of failed entries and failed calls. Default: `DEFAULT_RETRY_POLICY`. */
  retry?: Partial<RetryPolicy>;
  /** Time and randomness of the retries (tests). Default: real time. */
  retryEnvironment?: RetryEnvironment;
}

interface Pending {
  index: number;
  partitionKey: string;
  data: Uint8Array;
  errorCode: string;
}

/**
 * The outbox on a Kinesis stream: entries are serialized once, grouped into PutRecords calls
 * (500 entries, 5 MiB), and the entries Kinesis rejects (throttling, internal failure) are sent
 * again with backoff until the retry deadline. What still fails comes back as a failed result.
 *
 * @example const outbox = createKinesisOutbox({ kinesis: clients.kinesis, streamName: 'residency-outbox' });
 */
export function createKinesisOutbox(options: KinesisOutboxOptions): OutboxPort {
  return {
    async send(entries: readonly OutboxEntry[]): Promise<OutboxResult[]> {
      const results: OutboxResult[] = new Array(entries.length);
      let pending: Pending[] = [];
      entries.forEach((entry, index) => {
        const data = Buffer.from(JSON.stringify(entry.message), 'utf8');
        if (data.length > KINESIS_MAX_RECORD_BYTES)
          results[index] = { ok: false, errorCode: 'RecordTooLarge' };
        else pending.push({ index, partitionKey: entry.partitionKey, data, errorCode: '' });
      });
      const { value: failed } = await retryWithBackoff(
        async () => {
          pending = await putOnce(options, pending, results);
          return { done: pending.length === 0, value: pending };
        },
        options.retry,
        options.retryEnvironment,
      );
      for (const entry of failed)
        results[entry.index] = { ok: false, errorCode: entry.errorCode || 'Unknown' };
      return results;
    },
  };
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
      request.forEach((entry, i) => {
        const result = output.Records?.[i];
        if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
          results[entry.index] = { ok: true, shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
        } else {
          failed.push({ ...entry, errorCode: result?.ErrorCode ?? 'MissingResult' });
        }
      });
    } catch (error) {
      const { errorName } = describeError(error);
      for (const entry of request) failed.push({ ...entry, errorCode: errorName });
    }
  }
  return failed;
}

function group(pending: readonly Pending[]): Pending[][] {
  const requests: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const entry of pending) {
    const size = entry.data.length + Buffer.byteLength(entry.partitionKey);
    if (
      current.length === PUT_RECORDS_MAX_ENTRIES ||
      (current.length > 0 && bytes + size > PUT_RECORDS_MAX_BYTES)
    ) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
