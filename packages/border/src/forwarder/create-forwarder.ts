import { type Clock, systemClock } from '@residency/core';
import { batchIdFor } from '../batching/batch-id.ts';
import { type ChunkOptions, chunkMessages, type PassedMessage } from '../batching/chunk.ts';
import { BorderConfigurationError } from '../errors.ts';
import { createEgressGuard, type EgressGuard } from '../guard/egress-guard.ts';
import type { EgressLog } from '../logs/egress-log.ts';
import type { Quarantine, QuarantineEntry } from '../logs/quarantine.ts';
import { INGEST_PATH } from '../protocol/ingest-response.ts';
import type { RetryOptions } from '../retry/with-retry.ts';
import type { EgressTransport } from '../transport/egress-transport.ts';
import type { BatchSealer } from './batch-sealer.ts';
import { decodeKinesisEvent, type StreamMessage, streamMessagesOf } from './kinesis-envelope.ts';
import { type ForwarderLogger, type ForwarderMetrics, silentLogger } from './observability.ts';
import { type BatchOutcome, sendBatch } from './send-batch.ts';

/** Options of {@link createForwarder}. Everything is injected: the handler wires AWS, tests wire fakes. */
export interface ForwarderOptions extends ChunkOptions {
  /** The allowlisted transport; `origin` must be on its allowlist. */
  transport: EgressTransport;
  /** The control-plane origin, `scheme://host[:port]`. */
  origin: string;
  /** Signs batches (holds the private key). */
  sealer: BatchSealer;
  egressLog: EgressLog;
  quarantine: Quarantine;
  /** Default: `createEgressGuard()` (ClinicBook, the core's scanner). */
  guard?: EgressGuard;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: discards metrics. */
  metrics?: ForwarderMetrics;
  /** Default: discards logs. */
  logger?: ForwarderLogger;
  /** Ingest path on the origin. Default: `/ingest`. */
  ingestPath?: string;
  /**
   * Longest time spent retrying one batch before it is given up (and its records, with every later
   * one, reported as batch item failures). Never past the Lambda deadline. Default: 20000.
   */
  sendBudgetMillis?: number;
  /** Stop retrying this long before the Lambda deadline, to answer in time. Default: 3000. */
  deadlineMarginMillis?: number;
  /** Backoff tuning (base and max delay, random, sleep). Default: the named constants of `withRetry`. */
  retry?: Omit<RetryOptions, 'deadlineMillis' | 'clock'>;
}

/**
 * What one invocation did. `forwarded` and `quarantined` count outbox messages (a stream record
 * carries one or more); `failed` counts stream records.
 */
export interface ForwardReport {
  /** Messages the control plane acknowledged (stored or already had). */
  forwarded: number;
  /** Messages blocked into the quarantine (guard, or refused by the control plane for content). */
  quarantined: number;
  /** Stream records reported back as batch item failures: they stay in the stream and come again. */
  failed: number;
  batches: BatchOutcome[];
  /** The Lambda answer (ReportBatchItemFailures). */
  response: { batchItemFailures: Array<{ itemIdentifier: string }> };
}

/** The in-region forwarder: the only component with a route out of the region. */
export interface Forwarder {
  /** Lambda handler body for a Kinesis event on the outbox stream, with ReportBatchItemFailures. */
  handle(
    event: unknown,
    context?: { getRemainingTimeInMillis(): number },
  ): Promise<ForwardReport['response']>;
  /** Same as {@link Forwarder.handle}, with the full report. */
  process(event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<ForwardReport>;
}

/**
 * Creates the forwarder. Per invocation: every message of every record (the outbox packs one or
 * more in a record) passes the egress guard or goes to the quarantine; the rest is cut into batches
 * (runs of one kind, by count and bytes) with content-derived ids, signed and sent with retries
 * until the deadline. A batch that cannot be delivered is reported, with every record after it, as
 * batch item failures: the records wait in the stream, in region. Nothing is dropped. A record
 * whose messages were partly delivered comes again whole: the control plane dedupes what it
 * already has, and the quarantine overwrites what it already holds.
 *
 * @example
 * const forwarder = createForwarder({ transport, origin, sealer, egressLog, quarantine });
 * export const handler = (event, context) => forwarder.handle(event, context);
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const origin = new URL(options.origin).origin;
  if (!options.transport.allowedOrigins.includes(origin)) {
    throw new BorderConfigurationError(
      `origin ${origin} is not on the transport's allowlist`,
      'CONTROL_PLANE_ORIGIN',
    );
  }
  const url = new URL(options.ingestPath ?? INGEST_PATH, origin).href;
  const guard = options.guard ?? createEgressGuard();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics;
  const sendBudgetMillis = options.sendBudgetMillis ?? 20_000;
  const marginMillis = options.deadlineMarginMillis ?? 3_000;

  const process = async (
    event: unknown,
    context?: { getRemainingTimeInMillis(): number },
  ): Promise<ForwardReport> => {
    const started = clock.nowMillis();
    // The Lambda deadline bounds everything; the send budget bounds each batch's retries.
    const invocationDeadline = context
      ? started + context.getRemainingTimeInMillis() - marginMillis
      : Number.POSITIVE_INFINITY;
    const records = decodeKinesisEvent(event);
    const messages = streamMessagesOf(records);
    const receivedAt = new Date(started).toISOString();
    const blocked: QuarantineEntry[] = [];
    const passed: PassedMessage[] = [];
    for (const streamMessage of messages) {
      const verdict = guard.checkBytes(streamMessage.data);
      if (verdict.ok) passed.push({ index: streamMessage.index, message: verdict.message });
      else {
        const rules = verdict.reason === 'pii' ? verdict.rules : [];
        blocked.push(
          quarantineEntry(streamMessage, {
            reason: verdict.reason === 'pii' ? `pii:${rules[0]}` : 'schema',
            rules,
            paths: verdict.paths,
            kind: verdict.kind,
            receivedAt,
          }),
        );
      }
    }
    await block(blocked);

    const byIndex = new Map(passed.map((message) => [message.index, message]));
    const queue = chunkMessages(passed, options);
    const batches: BatchOutcome[] = [];
    let forwarded = 0;
    let quarantined = blocked.length;
    let failedFrom: number | undefined;
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      const batchId = batchIdFor(chunk.kind, chunk.body);
      const outcome = await sendBatch(
        { ...chunk, batchId },
        {
          transport: options.transport,
          origin,
          url,
          sealer: options.sealer,
          egressLog: options.egressLog,
          clock,
          deadlineMillis: Math.min(clock.nowMillis() + sendBudgetMillis, invocationDeadline),
          attemptDeadlineMillis: invocationDeadline,
          retry: options.retry,
        },
      );
      batches.push(outcome);
      if (outcome.kind === 'acknowledged') {
        forwarded += outcome.count;
        metrics?.count('ForwardedRecords', outcome.count);
        metrics?.count('BatchesAcknowledged', 1);
        continue;
      }
      if (outcome.kind === 'failed') {
        metrics?.count('BatchSendFailures', 1);
        logger.warn('batch not delivered; records stay in the stream', {
          batchId,
          count: outcome.count,
          reason: outcome.reason,
          attempts: outcome.attempts,
        });
        failedFrom = chunk.indexes[0];
        break;
      }
      // Refused for its content: the control plane's scan disagrees with ours. Keep the offending
      // items in region and send the rest again (a new batch, so a new id).
      metrics?.count('BatchesRejected', 1);
      logger.error('control plane refused a batch for its content', {
        batchId,
        reason: outcome.reason,
        httpStatus: outcome.httpStatus,
      });
      const offendingPositions = new Set(
        (outcome.offending ?? []).map((item) => item.index).filter((i) => i < chunk.indexes.length),
      );
      const all = offendingPositions.size === 0;
      const refused: QuarantineEntry[] = [];
      const rest: PassedMessage[] = [];
      chunk.indexes.forEach((index, position) => {
        const item = outcome.offending?.find((o) => o.index === position);
        if (all || item) {
          refused.push(
            quarantineEntry(messages[index]!, {
              reason: `rejected:${outcome.reason}`,
              rules: item?.rules ?? [],
              paths: item?.paths ?? [],
              kind: byIndex.get(index)?.message.kind,
              receivedAt,
            }),
          );
        } else rest.push(byIndex.get(index)!);
      });
      await block(refused);
      quarantined += refused.length;
      queue.unshift(...chunkMessages(rest, options));
    }

    // Every record that holds an undelivered message, once, in stream order.
    const failures =
      failedFrom === undefined
        ? []
        : [
            ...new Set(
              passed
                .filter((message) => message.index >= failedFrom!)
                .map((message) => messages[message.index]!.record),
            ),
          ];
    logger.info('forwarder invocation done', {
      records: records.length,
      messages: messages.length,
      forwarded,
      quarantined,
      failed: failures.length,
      batches: batches.length,
    });
    return {
      forwarded,
      quarantined,
      failed: failures.length,
      batches,
      response: { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.sequenceNumber })) },
    };
  };

  async function block(entries: QuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await options.quarantine.put(entries);
    for (const entry of entries) {
      metrics?.count('BlockedRecords', 1, {
        rule: entry.reason.startsWith('pii:') ? entry.reason.slice(4) : entry.reason,
      });
      logger.warn('record blocked into the quarantine', {
        shardId: entry.shardId,
        sequenceNumber: entry.sequenceNumber,
        ...(entry.subSequenceNumber === undefined ? {} : { subSequenceNumber: entry.subSequenceNumber }),
        reason: entry.reason,
        paths: entry.paths,
      });
    }
  }

  return {
    process,
    handle: async (event, context) => (await process(event, context)).response,
  };
}

function quarantineEntry(
  message: StreamMessage,
  verdict: { reason: string; rules: string[]; paths: string[]; kind: string | undefined; receivedAt: string },
): QuarantineEntry {
  const { record } = message;
  const recordId = recordIdOf(message.data);
  return {
    stream: 'outbox',
    ...(recordId ? { recordId } : {}),
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(message.subSequenceNumber === undefined ? {} : { subSequenceNumber: message.subSequenceNumber }),
    reason: verdict.reason,
    rules: verdict.rules,
    paths: verdict.paths,
    ...(verdict.kind ? { kind: verdict.kind } : {}),
    arrivedAt: record.arrivedAt,
    receivedAt: verdict.receivedAt,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Only a UUID-shaped record id is kept: it is the app's random event id. Anything else in a
// blocked record may be personal data and stays out of the quarantine entry.
function recordIdOf(data: Uint8Array): string | undefined {
  try {
    const message = JSON.parse(Buffer.from(data).toString('utf8')) as { record?: { recordId?: unknown } };
    const id = message?.record?.recordId;
    return typeof id === 'string' && UUID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
