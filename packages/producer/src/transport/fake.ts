import { TransportError } from '../errors.ts';
import type { Transport, TransportRecord, TransportRecordResult } from './port.ts';

/** A record the fake stream stored, with where and in which order it landed. */
export interface FakeStreamRecord extends TransportRecord {
  shardId: string;
  sequenceNumber: string;
}

/** Options of {@link createFakeTransport}. */
export interface FakeTransportOptions {
  /** Shards records are spread over by partition key. Default: 4. */
  shardCount?: number;
  /** Delay of every call, in milliseconds (an abort ends it early and stores nothing). Default: 0. */
  latencyMillis?: number;
  /** Keep stored records in `records` (turn off for benchmarks). Default: true. */
  keepRecords?: boolean;
  /** Fault injection: fail the whole call by returning a `TransportError`. Default: never. */
  failCall?: (records: readonly TransportRecord[]) => TransportError | undefined;
  /** Fault injection: an error code fails (and does not store) that record. Default: never. */
  failRecord?: (record: TransportRecord, index: number) => string | undefined;
}

/** An in-memory {@link Transport} that behaves like a stream, for tests and benchmarks. */
export interface FakeTransport extends Transport {
  /** Every record stored, in arrival order (empty when `keepRecords` is false). */
  readonly records: readonly FakeStreamRecord[];
  /** Calls made, records attempted and records stored so far. */
  stats(): { calls: number; attempted: number; stored: number };
}

/**
 * A fake stream in memory: per-shard increasing sequence numbers, latency, and injectable
 * whole-call and per-record failures. A failed record is not stored, like the real service.
 *
 * @example
 * const transport = createFakeTransport({ failRecord: (_, i) => (i % 10 === 0 ? 'ProvisionedThroughputExceededException' : undefined) });
 */
export function createFakeTransport(options: FakeTransportOptions = {}): FakeTransport {
  const shardCount = options.shardCount ?? 4;
  const keep = options.keepRecords ?? true;
  const records: FakeStreamRecord[] = [];
  let calls = 0;
  let attempted = 0;
  let sequence = 0;
  return {
    records,
    stats: () => ({ calls, attempted, stored: sequence }),
    async putRecords(batch, { signal }) {
      calls++;
      attempted += batch.length;
      if (options.latencyMillis) await sleep(options.latencyMillis, signal);
      if (signal.aborted) throw new TransportError('AbortError', true, false);
      const callError = options.failCall?.(batch);
      if (callError) throw callError;
      return batch.map((record, index): TransportRecordResult => {
        const errorCode = options.failRecord?.(record, index);
        if (errorCode) return { ok: false, errorCode, retryable: errorCode !== 'ValidationException' };
        const shardId = `shardId-${String(hash(record.partitionKey) % shardCount).padStart(12, '0')}`;
        const sequenceNumber = String(++sequence).padStart(20, '0');
        if (keep) records.push({ ...record, shardId, sequenceNumber });
        return { ok: true, shardId, sequenceNumber };
      });
    },
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function sleep(millis: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, millis);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
