import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

/** What {@link putAll} did. */
export interface PutReport {
  calls: number;
  /** Calls that failed as a whole and were repeated. */
  failedCalls: number;
  /** Entries that failed inside a call (partial failure) and were sent again. */
  retriedEntries: number;
}

const BACKOFF_BASE_MILLIS = 20;
const BACKOFF_MAX_MILLIS = 1_000;
const PUT_RECORDS_MAX_ENTRIES = 500;

/**
 * A minimal at-least-once producer for the harness (until the tests drive `@residency/producer`):
 * PutRecords in chunks, failed entries sent again, failed calls repeated, with capped exponential
 * backoff and full jitter, until `deadlineMillis`. A call that failed ambiguously (applied, answer
 * lost) puts duplicates on the stream; the harness keeps such faults away from this path.
 */
export async function putAll(
  kinesis: KinesisClient,
  streamName: string,
  payloads: ReadonlyArray<{ data: Uint8Array; partitionKey: string }>,
  options: { chunkSize?: number; deadlineMillis?: number } = {},
): Promise<PutReport> {
  const report: PutReport = { calls: 0, failedCalls: 0, retriedEntries: 0 };
  const deadline = Date.now() + (options.deadlineMillis ?? 300_000);
  const size = Math.min(options.chunkSize ?? 250, PUT_RECORDS_MAX_ENTRIES);
  for (let start = 0; start < payloads.length; start += size) {
    let pending = payloads.slice(start, start + size);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (Date.now() > deadline)
        throw new Error(`putAll: ${pending.length} records not put before the deadline`);
      if (attempt > 0) await backoff(attempt);
      report.calls += 1;
      try {
        const output = await kinesis.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: pending.map((p) => ({ Data: p.data, PartitionKey: p.partitionKey })),
          }),
        );
        const failed = pending.filter((_, i) => output.Records?.[i]?.ErrorCode !== undefined);
        report.retriedEntries += failed.length;
        pending = failed;
      } catch {
        report.failedCalls += 1;
      }
    }
  }
  return report;
}

function backoff(attempt: number): Promise<void> {
  const cap = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_BASE_MILLIS * 2 ** Math.min(attempt, 10));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}
