import { ConfigurationError } from '@residency/aws';
import type { CatalogDefinition } from '@residency/core';
import { clinicbookCanary } from './canary/clinicbook.ts';
import { createCanaryInjector } from './canary/injector.ts';
import { createDispatcher } from './dispatcher.ts';
import type { Entry, EntryOutcome } from './entry.ts';
import { DeliveryFailedError, ProducerClosedError, QueueFullError } from './errors.ts';
import type { ClinicBookDefinition, ProducerEvent } from './event-types.ts';
import { Fifo } from './fifo.ts';
import { DEFAULT_CLOSE_TIMEOUT_MILLIS, type ProducerOptions } from './options.ts';
import { createPreparer } from './prepare.ts';
import type { Acknowledgement, Producer, SendReceipt } from './producer.ts';
import { createReportWindow, type DeliveryFailure, type DeliveryReport } from './report.ts';
import { resolveSettings } from './settings.ts';
import { safeErrorCode } from './transport/classify.ts';
import { createKinesisTransport } from './transport/kinesis.ts';

interface Waiter {
  entry: Entry;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Creates a producer for the in-region stream. Checks the region first (see README).
 *
 * @example
 * const producer = createProducer({ streamName: 'clinicbook-events', region: 'ap-south-1', partitionKeySecret });
 * await producer.send({ type: 'note.added', tenantId: 'dhk-mirpur-01', patientId: 'P-1', doctorId: 'D-7', note: '…' });
 * const report = await producer.close();
 */
export function createProducer<C extends CatalogDefinition = ClinicBookDefinition>(
  options: ProducerOptions<C>,
): Producer<C> {
  const settings = resolveSettings(options);
  const prepare = createPreparer({
    catalog: settings.catalog,
    countryOf: options.countryOf,
    partitionKeySecret: settings.partitionKeySecret,
  });
  const injector = options.canaries
    ? createCanaryInjector(options.canaries, defaultCanary(options))
    : undefined;
  if (injector) {
    try {
      prepare(injector.sample(), -1);
    } catch (cause) {
      throw new ConfigurationError('canaries.build returns an event the catalog refuses', 'canaries.build', {
        cause,
      });
    }
  }
  // Created last among the checks: nothing holds a connection if a check above throws.
  const transport =
    options.transport ??
    createKinesisTransport({
      streamName: options.streamName,
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  const counts = { accepted: 0, sent: 0, retried: 0, failed: 0, canaries: 0 };
  const window = createReportWindow();
  const waiters = new Fifo<Waiter>();
  const flushes = new Set<{ seq: number; remaining: number; done: () => void }>();
  let idle: Array<() => void> = [];
  let seq = 0;
  let queueDepth = 0;
  let queuedBytes = 0;
  let waitingBytes = 0;
  let closed = false;
  let closing: Promise<DeliveryReport> | undefined;

  const dispatcher = createDispatcher({
    transport,
    lingerMillis: settings.lingerMillis,
    maxBatchRecords: settings.maxBatchRecords,
    maxBatchBytes: settings.maxBatchBytes,
    maxConcurrentRequests: settings.maxConcurrentRequests,
    requestTimeoutMillis: settings.requestTimeoutMillis,
    retry: settings.retry,
    retried: () => {
      counts.retried++;
    },
    settled: (entry, outcome) => {
      queueDepth--;
      queuedBytes -= entry.bytes;
      if (outcome.ok) {
        counts.sent++;
        window.acknowledged();
      } else fail(entry, outcome);
      entry.waiter?.(outcome, entry);
      done(entry.seq);
      admitWaiting();
    },
  });

  const fail = (entry: Entry, outcome: EntryOutcome & { ok: false }) => {
    counts.failed++;
    const failure: DeliveryFailure = {
      eventId: entry.eventId,
      reason: outcome.reason,
      ...(entry.lastErrorCode ? { errorCode: entry.lastErrorCode } : {}),
      attempts: entry.attempts,
      mayBeOnStream: entry.mayBeOnStream,
    };
    window.failed(failure);
    try {
      options.onFailure?.(failure);
    } catch {
      settings.logger.warn('producer: onFailure threw; the failure is still in the next report');
    }
  };

  // An event accepted or abandoned: flushes waiting on it count down, close() may be done.
  const done = (entrySeq: number) => {
    for (const flush of flushes) if (entrySeq <= flush.seq && --flush.remaining === 0) flush.done();
    if (queueDepth === 0 && waiters.length === 0 && idle.length > 0) {
      const resolvers = idle;
      idle = [];
      for (const resolve of resolvers) resolve();
    }
  };

  const hasRoom = (entry: Entry) =>
    queueDepth === 0 ||
    (queueDepth < settings.maxQueuedEvents && queuedBytes + entry.bytes <= settings.maxQueuedBytes);

  const accept = (entry: Entry) => {
    entry.acceptedAtMillis = Date.now();
    queueDepth++;
    queuedBytes += entry.bytes;
    counts.accepted++;
    dispatcher.enqueue(entry);
  };

  const acceptWithCanary = (entry: Entry) => {
    accept(entry);
    const canary = closed ? undefined : injector?.afterEvent();
    if (!canary) return;
    let prepared: Entry;
    try {
      prepared = prepare(canary, seq++);
    } catch (error) {
      // A broken `canaries.build` must not fail the caller's event, which is already accepted.
      settings.logger.warn(
        `producer: canary event refused (${safeErrorCode((error as Error | undefined)?.name)}); check canaries.build`,
      );
      return;
    }
    counts.canaries++;
    accept(prepared);
  };

  const admitWaiting = () => {
    for (let next = waiters.peek(); next && hasRoom(next.entry); next = waiters.peek()) {
      waiters.shift();
      waitingBytes -= next.entry.bytes;
      acceptWithCanary(next.entry);
      next.resolve();
    }
  };

  const admit = (entry: Entry): Promise<void> | undefined => {
    if (waiters.length === 0 && hasRoom(entry)) {
      acceptWithCanary(entry);
      return undefined;
    }
    // Waiting senders hold validated events in memory: bounded too, or a caller that never awaits
    // `send` would grow the heap until the process dies.
    if (
      settings.whenQueueFull === 'reject' ||
      waiters.length >= settings.maxWaitingSenders ||
      waitingBytes + entry.bytes > settings.maxQueuedBytes
    )
      throw new QueueFullError(queueDepth, queuedBytes);
    waitingBytes += entry.bytes;
    return new Promise((resolve, reject) => waiters.push({ entry, resolve, reject }));
  };

  const enqueue = async (event: ProducerEvent<C>, waiter?: Entry['waiter']): Promise<SendReceipt> => {
    if (closed) throw new ProducerClosedError();
    const entry = prepare(event, seq++);
    entry.waiter = waiter;
    await admit(entry);
    return { eventId: entry.eventId };
  };

  return {
    send: (event) => enqueue(event),
    async sendAndWait(event) {
      let waiter: Entry['waiter'];
      const acknowledged = new Promise<Acknowledgement>((resolve, reject) => {
        waiter = (outcome, entry) =>
          outcome.ok
            ? resolve({
                eventId: entry.eventId,
                shardId: outcome.shardId,
                sequenceNumber: outcome.sequenceNumber,
              })
            : reject(new DeliveryFailedError(entry.eventId, outcome.reason, entry.lastErrorCode));
      });
      // The stream may answer before this function resumes; mark the rejection handled meanwhile.
      acknowledged.catch(() => undefined);
      await enqueue(event, waiter);
      return acknowledged;
    },
    flush() {
      const remaining = queueDepth + waiters.length;
      if (remaining === 0) return Promise.resolve(window.take());
      return new Promise((resolve) => {
        const end = dispatcher.force();
        const flush = {
          seq: seq - 1,
          remaining,
          done: () => {
            flushes.delete(flush);
            end();
            resolve(window.take());
          },
        };
        flushes.add(flush);
      });
    },
    close({ timeoutMillis = DEFAULT_CLOSE_TIMEOUT_MILLIS } = {}) {
      closing ??= (async () => {
        closed = true;
        const end = dispatcher.force();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const drained = new Promise<boolean>((resolve) => {
          if (queueDepth === 0 && waiters.length === 0) resolve(true);
          else idle.push(() => resolve(true));
          timer = setTimeout(() => resolve(false), timeoutMillis);
        });
        if (!(await drained)) {
          waitingBytes = 0;
          for (const waiter of waiters.drain()) {
            waiter.reject(new ProducerClosedError());
            done(waiter.entry.seq);
          }
        }
        // Fails whatever is left (nothing, when drained) and stops the dispatcher's timers.
        dispatcher.abandon();
        clearTimeout(timer);
        end();
        transport.destroy?.();
        return window.take();
      })();
      return closing;
    },
    counters: () => ({
      ...counts,
      queueDepth,
      queuedBytes,
      waitingSenders: waiters.length,
      inFlightRequests: dispatcher.inFlightRequests(),
    }),
  };
}

function defaultCanary<C extends CatalogDefinition>(options: ProducerOptions<C>) {
  // Only ClinicBook has a built-in canary event; other catalogs pass `canaries.build`.
  if (options.catalog !== undefined && options.catalog.name !== 'clinicbook') return undefined;
  return clinicbookCanary as unknown as (...args: Parameters<typeof clinicbookCanary>) => ProducerEvent<C>;
}
