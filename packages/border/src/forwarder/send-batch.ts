import type { Clock } from '@residency/core';
import type { Chunk } from '../batching/chunk.ts';
import type { EgressLog, EgressLogEntry } from '../logs/egress-log.ts';
import { reasonCode, safeOffending } from '../protocol/answer-hygiene.ts';
import {
  CONTENT_REJECTION_REASONS,
  type IngestResponse,
  IngestResponseSchema,
  type OffendingItem,
} from '../protocol/ingest-response.ts';
import { type Attempt, type RetryOptions, withRetry } from '../retry/with-retry.ts';
import { digestBody } from '../signing/index.ts';
import type { EgressTransport, TransportResponse } from '../transport/egress-transport.ts';
import type { BatchSealer } from './batch-sealer.ts';

/** How one batch ended. Expected outcomes, all of them: only bugs throw. */
export type BatchOutcome =
  | {
      kind: 'acknowledged';
      batchId: string;
      count: number;
      stored: number;
      duplicates: number;
      duplicateBatch: boolean;
      attempts: number;
    }
  | {
      kind: 'rejected';
      batchId: string;
      count: number;
      httpStatus: number;
      reason: string;
      offending: OffendingItem[] | undefined;
      attempts: number;
    }
  | { kind: 'failed'; batchId: string; count: number; reason: string; attempts: number };

/** What {@link sendBatch} needs. */
export interface SendBatchContext {
  transport: EgressTransport;
  /** The control-plane origin (allowlisted in `transport`). */
  origin: string;
  /** Full ingest URL. */
  url: string;
  sealer: BatchSealer;
  egressLog: EgressLog;
  clock: Clock;
  /** Epoch millis after which no attempt starts. */
  deadlineMillis: number;
  /**
   * Epoch millis by which a running attempt is given up (the invocation's deadline), however long
   * the transport would wait. Default: none (the transport's timeout alone).
   */
  attemptDeadlineMillis?: number;
  retry?: Omit<RetryOptions, 'deadlineMillis' | 'clock'>;
}

type Answer =
  | { kind: 'ack'; response: Extract<IngestResponse, { ok: true }>; httpStatus: number }
  | { kind: 'rejected'; reason: string; offending: OffendingItem[] | undefined; httpStatus: number };

/**
 * Classifies a control-plane answer: acknowledged, refused for its content (final), or anything
 * else (retry: network errors, 5xx, 429, redirects, which are never followed, and signature or
 * freshness refusals, which a key or clock fix resolves: the records wait in region meanwhile).
 * With `count`, an acknowledgement must account for every item (`stored + duplicates === count`):
 * an answer claiming fewer or more is no acknowledgement, and the records stay in region.
 * Whatever the answer says that ends up stored (reason, offending rules and paths) is reduced to
 * codes and sanitized paths first: the answer may echo what it was sent.
 */
export function classifyAnswer(answer: TransportResponse, batchId: string, count?: number): Attempt<Answer> {
  if (answer.kind === 'network-error') return { done: false, reason: `network: ${answer.reason}` };
  const { status } = answer;
  if (status >= 300 && status < 400) return { done: false, reason: `redirect ${status} (not followed)` };
  let parsed: IngestResponse | undefined;
  try {
    const result = IngestResponseSchema.safeParse(JSON.parse(answer.body));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300) {
    if (!parsed?.ok || parsed.batchId !== batchId)
      return { done: false, reason: `unrecognized ${status} answer` };
    if (count !== undefined && parsed.stored + parsed.duplicates !== count) {
      return {
        done: false,
        reason: `answer accounts for ${parsed.stored + parsed.duplicates} of ${count} items`,
      };
    }
    return { done: true, value: { kind: 'ack', response: parsed, httpStatus: status } };
  }
  if (
    parsed &&
    !parsed.ok &&
    (status === 400 || status === 422) &&
    CONTENT_REJECTION_REASONS.has(parsed.reason)
  ) {
    return {
      done: true,
      value: {
        kind: 'rejected',
        reason: parsed.reason,
        offending: parsed.offending && safeOffending(parsed.offending),
        httpStatus: status,
      },
    };
  }
  return {
    done: false,
    reason: `http ${status}${parsed && !parsed.ok ? ` ${reasonCode(parsed.reason)}` : ''}`,
  };
}

/**
 * Sends one batch: logs it as `sending`, signs and POSTs it with retries (a fresh signature and
 * timestamp per attempt, the same batch id), then logs how it ended. The egress log entry exists
 * before the first byte leaves, so every batch that may have crossed is on record.
 */
export async function sendBatch(
  chunk: Chunk & { batchId: string },
  ctx: SendBatchContext,
): Promise<BatchOutcome> {
  const count = chunk.items.length;
  const seal = () =>
    ctx.sealer.seal({
      batchId: chunk.batchId,
      kind: chunk.kind,
      count,
      body: chunk.body,
      sentAt: new Date(ctx.clock.nowMillis()).toISOString(),
    });
  let sealed = seal();
  const entry: Omit<EgressLogEntry, 'status'> = {
    batchId: chunk.batchId,
    kind: chunk.kind,
    count,
    sha256: digestBody(sealed.body),
    itemsSha256: digestBody(chunk.body),
    itemIds: chunk.ids,
    destination: ctx.origin,
    sentAt: new Date(ctx.clock.nowMillis()).toISOString(),
  };
  await ctx.egressLog.begin(entry);
  const outcome = await withRetry(
    async (attempt) => {
      if (attempt > 1) sealed = seal();
      // An attempt started just before the invocation's deadline must not run on past the Lambda's
      // end: the transport's own timeout (10 s) is longer than the deadline margin (3 s).
      const left = (ctx.attemptDeadlineMillis ?? Number.POSITIVE_INFINITY) - ctx.clock.nowMillis();
      const answer = await ctx.transport.post(
        ctx.url,
        Number.isFinite(left) ? { ...sealed, timeoutMillis: Math.max(1, left) } : sealed,
      );
      return classifyAnswer(answer, chunk.batchId, count);
    },
    { ...ctx.retry, clock: ctx.clock, deadlineMillis: ctx.deadlineMillis },
  );
  const sha256 = digestBody(sealed.body);
  if (!outcome.ok) {
    await ctx.egressLog.finish(entry, {
      status: 'failed',
      attempts: outcome.attempts,
      reason: outcome.reason.slice(0, 200),
      sha256,
    });
    return {
      kind: 'failed',
      batchId: chunk.batchId,
      count,
      reason: outcome.reason,
      attempts: outcome.attempts,
    };
  }
  const answer = outcome.value;
  if (answer.kind === 'rejected') {
    await ctx.egressLog.finish(entry, {
      status: 'rejected',
      attempts: outcome.attempts,
      httpStatus: answer.httpStatus,
      reason: answer.reason,
      sha256,
    });
    return {
      kind: 'rejected',
      batchId: chunk.batchId,
      count,
      httpStatus: answer.httpStatus,
      reason: answer.reason,
      offending: answer.offending,
      attempts: outcome.attempts,
    };
  }
  const { stored, duplicates, duplicateBatch } = answer.response;
  await ctx.egressLog.finish(entry, {
    status: 'acknowledged',
    attempts: outcome.attempts,
    httpStatus: answer.httpStatus,
    stored,
    duplicates,
    sha256,
  });
  return {
    kind: 'acknowledged',
    batchId: chunk.batchId,
    count,
    stored,
    duplicates,
    duplicateBatch,
    attempts: outcome.attempts,
  };
}
