import type { Entry, EntryOutcome } from './entry.ts';
import { TransportError } from './errors.ts';
import { Fifo } from './fifo.ts';
import { backoffDelayMillis, type RetryPolicy, withinRetryDeadline } from './retry-policy.ts';
import { safeErrorCode, toTransportError } from './transport/classify.ts';
import type { Transport, TransportRecordResult } from './transport/port.ts';

/** Batching, sending and retrying settings (validated by the producer). */
export interface DispatcherSettings {
  transport: Transport;
  lingerMillis: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  maxConcurrentRequests: number;
  /** A call not answered by then is aborted and its records retried (outcome unknown). */
  requestTimeoutMillis: number;
  retry: RetryPolicy;
  /** Called exactly once per entry, when it is acknowledged or fails. */
  settled(entry: Entry, outcome: EntryOutcome): void;
  /** Called each time an entry is scheduled for another attempt. */
  retried(entry: Entry): void;
}

/** The engine behind the producer: per-key order, batches, concurrency, retries. */
export interface Dispatcher {
  enqueue(entry: Entry): void;
  /** While forced (flush, close), partial batches go out without waiting for the linger time. */
  force(): () => void;
  inFlightRequests(): number;
  /** Fails every unsettled entry (close timeout), aborts requests in flight, stops timers. */
  abandon(): void;
}

/**
 * Creates the dispatcher. Ordering rule: at most one record per partition key is in flight or
 * waiting for a retry at any time; the key's next record becomes ready only when that one is
 * settled. So a retry can never be overtaken by a later record of the same key, across batches
 * and concurrent requests, at the cost of one round trip per record for a single hot key.
 */
export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  const { transport, retry } = settings;
  /** First and last unsettled entry of each partition key; the rest are linked by `next`. */
  const keys = new Map<string, { head: Entry; tail: Entry }>();
  const ready = new Fifo<Entry>();
  const retryReady = new Fifo<Entry>();
  const requests = new Set<AbortController>();
  const backoffTimers = new Set<ReturnType<typeof setTimeout>>();
  let readyBytes = 0;
  let inFlight = 0;
  let forced = 0;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;

  const makeReady = (entry: Entry, queue: Fifo<Entry>) => {
    entry.state = 'ready';
    queue.push(entry);
    readyBytes += entry.bytes;
  };

  const shouldSend = (): boolean => {
    const count = ready.length + retryReady.length;
    if (count === 0) return false;
    if (forced > 0 || retryReady.length > 0) return true;
    if (count >= settings.maxBatchRecords || readyBytes >= settings.maxBatchBytes) return true;
    const oldest = ready.peek();
    return oldest !== undefined && Date.now() >= oldest.acceptedAtMillis + settings.lingerMillis;
  };

  const takeBatch = (): Entry[] => {
    const batch: Entry[] = [];
    let bytes = 0;
    while (batch.length < settings.maxBatchRecords) {
      const queue = retryReady.length > 0 ? retryReady : ready;
      const entry = queue.peek();
      if (!entry || bytes + entry.bytes > settings.maxBatchBytes) break;
      queue.shift();
      readyBytes -= entry.bytes;
      entry.state = 'in_flight';
      entry.attempts++;
      bytes += entry.bytes;
      batch.push(entry);
    }
    return batch;
  };

  const pump = () => {
    while (inFlight < settings.maxConcurrentRequests && shouldSend()) send(takeBatch());
    const oldest = ready.peek();
    if (oldest && !lingerTimer && inFlight < settings.maxConcurrentRequests) {
      const wait = Math.max(0, oldest.acceptedAtMillis + settings.lingerMillis - Date.now());
      lingerTimer = setTimeout(() => {
        lingerTimer = undefined;
        pump();
      }, wait);
    }
  };

  const send = (batch: Entry[]) => {
    inFlight++;
    const controller = new AbortController();
    requests.add(controller);
    // The call ends at the abort even if the transport ignores the signal and never answers: a
    // hung connection must not hold a partition key forever; the records go back for a retry.
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(ABORTED), { once: true }),
    );
    const call = async () => transport.putRecords(batch, { signal: controller.signal });
    const timeout = setTimeout(() => controller.abort(), settings.requestTimeoutMillis);
    let finished = false;
    const finish = () => {
      finished = true;
      clearTimeout(timeout);
      inFlight--;
      requests.delete(controller);
    };
    void Promise.race([call(), aborted]).then(
      (results) => {
        if (finished) return;
        finish();
        // Results are per record, in request order: a count that does not match (or no array)
        // cannot say which record was written, so none is marked sent; all go again, flagged.
        if (!Array.isArray(results) || results.length !== batch.length) onCallError(batch, MALFORMED);
        else onResults(batch, results);
        pump();
      },
      (error: unknown) => {
        if (finished) return;
        finish();
        onCallError(batch, error);
        pump();
      },
    );
  };

  const onResults = (batch: Entry[], results: readonly unknown[]) => {
    const again: Entry[] = [];
    batch.forEach((entry, i) => {
      if (entry.state !== 'in_flight') return; // settled meanwhile by a close timeout
      const result = checkResult(results[i]);
      if (result.ok) {
        settle(entry, { ok: true, shardId: result.shardId, sequenceNumber: result.sequenceNumber });
        return;
      }
      entry.lastErrorCode = result.errorCode;
      if (result.mayBeOnStream) entry.mayBeOnStream = true;
      if (!result.retryable) settle(entry, { ok: false, reason: 'rejected' });
      else again.push(entry);
    });
    scheduleRetry(again);
  };

  const onCallError = (batch: Entry[], thrown: unknown) => {
    const error = toTransportError(thrown);
    const live = batch.filter((entry) => entry.state === 'in_flight');
    for (const entry of live) {
      entry.lastErrorCode = error.code;
      if (!error.definite) entry.mayBeOnStream = true;
    }
    if (error.retryable) scheduleRetry(live);
    else for (const entry of live) settle(entry, { ok: false, reason: 'stream_error' });
  };

  // One timer per failed group: its records fail and come back together, and the delay grows
  // with the most-tried record among them.
  const scheduleRetry = (entries: Entry[]) => {
    if (entries.length === 0) return;
    const attempts = Math.max(...entries.map((e) => e.attempts));
    const delay = backoffDelayMillis(retry, attempts);
    const at = Date.now() + delay;
    const group: Entry[] = [];
    for (const entry of entries) {
      if (!withinRetryDeadline(retry, entry.acceptedAtMillis, at)) {
        settle(entry, { ok: false, reason: 'retries_exhausted' });
        continue;
      }
      entry.state = 'backoff';
      group.push(entry);
      settings.retried(entry);
    }
    if (group.length === 0) return;
    const timer = setTimeout(() => {
      backoffTimers.delete(timer);
      for (const entry of group) if (entry.state === 'backoff') makeReady(entry, retryReady);
      pump();
    }, delay);
    backoffTimers.add(timer);
  };

  const settle = (entry: Entry, outcome: EntryOutcome) => {
    entry.state = 'settled';
    const chain = keys.get(entry.partitionKey);
    const next = entry.next;
    entry.next = undefined;
    if (next && chain) {
      chain.head = next;
      makeReady(next, ready);
    } else keys.delete(entry.partitionKey);
    settings.settled(entry, outcome);
  };

  return {
    enqueue(entry) {
      const chain = keys.get(entry.partitionKey);
      if (chain) {
        entry.state = 'waiting';
        chain.tail.next = entry;
        chain.tail = entry;
      } else {
        keys.set(entry.partitionKey, { head: entry, tail: entry });
        makeReady(entry, ready);
      }
      pump();
    },
    force() {
      forced++;
      pump();
      let ended = false;
      return () => {
        if (!ended) forced--;
        ended = true;
      };
    },
    inFlightRequests: () => inFlight,
    abandon() {
      if (lingerTimer) clearTimeout(lingerTimer);
      lingerTimer = undefined;
      for (const timer of backoffTimers) clearTimeout(timer);
      backoffTimers.clear();
      const chains = [...keys.values()];
      keys.clear();
      ready.drain();
      retryReady.drain();
      readyBytes = 0;
      for (const controller of requests) controller.abort();
      for (const chain of chains) {
        for (let entry: Entry | undefined = chain.head; entry; ) {
          const next: Entry | undefined = entry.next;
          if (entry.state === 'in_flight') entry.mayBeOnStream = true;
          entry.state = 'settled';
          entry.next = undefined;
          settings.settled(entry, { ok: false, reason: 'close_timeout' });
          entry = next;
        }
      }
    },
  };
}

const ABORTED = new TransportError('AbortError', true, false);
const MALFORMED = new TransportError('MalformedResponse', true, false);

/**
 * A transport's answer for one record, checked: acknowledged only with a shard id and a sequence
 * number; failed only with an error code (a word, see `safeErrorCode`). Anything else says
 * nothing about the record: it is retried and may be on the stream.
 */
function checkResult(
  result: unknown,
): { ok: true; shardId: string; sequenceNumber: string } | (TransportFailure & { mayBeOnStream: boolean }) {
  const r = result as Partial<TransportRecordResult> & Record<string, unknown>;
  if (typeof r === 'object' && r !== null) {
    if (
      r.ok === true &&
      typeof r.shardId === 'string' &&
      r.shardId !== '' &&
      typeof r.sequenceNumber === 'string' &&
      r.sequenceNumber !== ''
    )
      return { ok: true, shardId: r.shardId, sequenceNumber: r.sequenceNumber };
    if (r.ok === false && typeof r.errorCode === 'string')
      return {
        ok: false,
        errorCode: safeErrorCode(r.errorCode),
        retryable: r.retryable !== false,
        mayBeOnStream: r.mayBeOnStream === true,
      };
  }
  return { ok: false, errorCode: 'MalformedResponse', retryable: true, mayBeOnStream: true };
}

type TransportFailure = Extract<TransportRecordResult, { ok: false }>;
