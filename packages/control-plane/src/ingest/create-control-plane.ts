import {
  type BatchVerifier,
  createEgressGuard,
  digestBody,
  type EgressGuard,
  type IngestResponse,
  type OffendingItem,
  type SignedBatch,
} from '@residency/border';
import {
  type AggregateCell,
  type Clock,
  type ErasureNotice,
  type OutboundRecord,
  type OutboxMessage,
  systemClock,
} from '@residency/core';
import type { ControlPlaneStore, StoredBatch, StoreResult } from '../store/control-plane-store.ts';
import { type ControlPlaneLogger, raiseAlert, silentControlPlaneLogger } from './alerts.ts';

/** Largest request body the ingest reads. Default of {@link ControlPlaneOptions.maxBatchBytes}: 6 MiB. */
export const DEFAULT_MAX_INGEST_BYTES = 6 * 1024 * 1024;

/** Options of {@link createControlPlane}. */
export interface ControlPlaneOptions {
  store: ControlPlaneStore;
  /** Verifies signatures and freshness (border's `createBatchVerifier`). */
  verifier: BatchVerifier;
  /** The same guard the forwarder runs. Default: `createEgressGuard()`. */
  guard?: EgressGuard;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: discards logs. */
  logger?: ControlPlaneLogger;
  /** Canary detector: returns a label when the text holds a planted canary in clear. Default: none. */
  alertOnText?: (text: string) => string | undefined;
  /** Requests with a larger body are refused. Default: 6291456. */
  maxBatchBytes?: number;
  /**
   * How long a delivery's claim on a batch holds off other deliveries of it (answered 503 `busy`,
   * which the forwarder retries). Must outlast the ingest's timeout, and should be well within
   * how long the forwarder keeps retrying a batch. Default: 45000.
   */
  batchLeaseMillis?: number;
}

/**
 * Default of {@link ControlPlaneOptions.batchLeaseMillis}: 45 s. The deployed ingest times out
 * after 30 s, so a delivery holding a claim is finished or dead by then. The forwarder retries a
 * batch for 20 s per invocation and the stream mapping invokes it 6 times (about 2 minutes), so
 * a batch whose delivery died is taken over long before the forwarder gives up on it.
 */
export const DEFAULT_BATCH_LEASE_MILLIS = 45_000;

/** The ingest's answer: an HTTP status and the JSON body the forwarder classifies. */
export interface IngestResult {
  status: number;
  response: IngestResponse;
}

/** The control plane's ingest. */
export interface ControlPlane {
  readonly store: ControlPlaneStore;
  /** Verifies, re-checks, dedupes and stores one signed batch request. */
  ingest(request: {
    body: Uint8Array;
    headers: Readonly<Record<string, string | undefined>>;
  }): Promise<IngestResult>;
}

const refuse = (status: number, reason: string, offending?: OffendingItem[]): IngestResult => ({
  status,
  response: { ok: false, reason, ...(offending ? { offending } : {}) },
});

/** Most offending items an answer lists: the forwarder's `IngestResponseSchema` accepts at most 1,000. */
const MAX_OFFENDING_ITEMS = 1_000;
/** Most bytes of offending items an answer lists (a Function URL answers at most 6 MB): 1 MiB. */
const MAX_OFFENDING_BYTES = 1024 * 1024;

// The first offending items, within both bounds. An answer listing every one of 3,000 refused
// items did not parse at the forwarder, which then retried a final refusal instead of taking it.
function boundedOffending(offending: readonly OffendingItem[]): OffendingItem[] {
  const kept: OffendingItem[] = [];
  let bytes = 0;
  for (const item of offending) {
    bytes += JSON.stringify(item).length + 1;
    if (kept.length === MAX_OFFENDING_ITEMS || bytes > MAX_OFFENDING_BYTES) break;
    kept.push(item);
  }
  return kept;
}

// A stored batch is this one again when its kind and items are the same.
function sameBatch(stored: StoredBatch, kind: SignedBatch['kind'], itemsSha256: string): boolean {
  return stored.kind === kind && stored.itemsSha256 === itemsSha256;
}

function wrap(kind: SignedBatch['kind'], item: unknown): unknown {
  if (kind === 'records') return { kind: 'record', record: item };
  if (kind === 'aggregates') return { kind: 'aggregate', aggregate: item };
  return { kind: 'erasure', erasure: item };
}

/**
 * Creates the control plane's ingest: signature and freshness (the verifier), the strict schema
 * and the PII scan again (a batch carrying anything that fails is refused whole, with an alert),
 * dedupe by batch id and by record and cell id, then storage; erasure notices delete every row of
 * their tokens.
 *
 * @example
 * const controlPlane = createControlPlane({ store, verifier: createBatchVerifier({ keys }) });
 * const { status, response } = await controlPlane.ingest({ body, headers });
 */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const { store, verifier } = options;
  const guard = options.guard ?? createEgressGuard();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentControlPlaneLogger;
  const maxBytes = options.maxBatchBytes ?? DEFAULT_MAX_INGEST_BYTES;

  return {
    store,
    async ingest(request) {
      const nowIso = new Date(clock.nowMillis()).toISOString();
      if (request.body.byteLength > maxBytes) return refuse(413, 'too-large');
      const verified = verifier.verify(request);
      if (!verified.ok) {
        await raiseAlert(store, logger, nowIso, { reason: verified.reason });
        return refuse(401, verified.reason);
      }
      // Postcondition of verify(): signed by a known key, fresh, and `count` items in `body`.
      const batch = verified.batch;
      const offending: OffendingItem[] = [];
      const messages: OutboxMessage[] = [];
      batch.body.forEach((item, index) => {
        const verdict = guard.checkValue(wrap(batch.kind, item));
        if (verdict.ok) messages.push(verdict.message);
        else if (verdict.reason === 'pii')
          offending.push({ index, reason: 'pii', rules: verdict.rules, paths: verdict.paths });
        else offending.push({ index, reason: 'schema', paths: verdict.paths });
      });
      const canary = options.alertOnText?.(Buffer.from(request.body).toString('utf8'));
      if (offending.length > 0 || canary) {
        const reason = canary ? 'canary' : offending.some((o) => o.reason === 'pii') ? 'pii' : 'schema';
        await raiseAlert(store, logger, nowIso, {
          reason,
          batchId: batch.batchId,
          keyId: batch.keyId,
          rules: [...new Set(offending.flatMap((o) => o.rules ?? []))],
          paths: [...new Set(offending.flatMap((o) => o.paths))].slice(0, 64),
          ...(canary ? { canary } : {}),
        });
        return refuse(422, reason, boundedOffending(offending));
      }
      // Only now, with every item through the strict schemas (so of bounded depth): a signed item
      // nested 10,000 deep made this throw (a 500, retried forever) before the guard could refuse it.
      const itemsSha256 = digestBody(JSON.stringify(batch.body));
      const claimed = await store.claimBatch(batch.batchId, {
        nowMillis: clock.nowMillis(),
        leaseMillis: options.batchLeaseMillis ?? DEFAULT_BATCH_LEASE_MILLIS,
      });
      if (claimed.state === 'busy') {
        logger.warn('batch held by another delivery', { batchId: batch.batchId });
        return refuse(503, 'busy');
      }
      if (claimed.state === 'stored' && !sameBatch(claimed.batch, batch.kind, itemsSha256)) {
        // Batch ids derive from the items (border's `batchIdFor`): other items under a stored id are
        // a forwarder bug or a key in the wrong hands. Acknowledging them as a duplicate would tell
        // the forwarder they were stored; refuse (retryable: the records stay in region) and alert.
        await raiseAlert(store, logger, nowIso, {
          reason: 'batch-conflict',
          batchId: batch.batchId,
          keyId: batch.keyId,
          count: batch.count,
        });
        return refuse(409, 'batch-conflict');
      }
      if (claimed.state === 'stored') {
        logger.info('duplicate batch acknowledged', { batchId: batch.batchId });
        return {
          status: 200,
          response: {
            ok: true,
            batchId: batch.batchId,
            stored: 0,
            duplicates: batch.count,
            duplicateBatch: true,
          },
        };
      }
      const meta = { batchId: batch.batchId, receivedAt: nowIso };
      let result: StoreResult;
      if (batch.kind === 'records') {
        result = await store.putRecords(
          messages.map((m) => (m as { record: OutboundRecord }).record),
          meta,
        );
        if (result.conflicts)
          await raiseAlert(
            store,
            logger,
            nowIso,
            { reason: 'conflict', batchId: batch.batchId, keyId: batch.keyId, count: result.conflicts },
            'ALERT: records under an id already stored with other content (an event id reused); the first kept',
          );
      } else if (batch.kind === 'aggregates') {
        result = await store.putAggregates(
          messages.map((m) => (m as { aggregate: AggregateCell }).aggregate),
          meta,
        );
      } else {
        const tokens = messages.flatMap((m) => (m as { erasure: ErasureNotice }).erasure.tokens);
        const erased = await store.erase(tokens, { batchId: batch.batchId });
        result = { stored: messages.length, duplicates: 0, suppressed: 0 };
        logger.info('erasure applied', {
          batchId: batch.batchId,
          tokens: tokens.length,
          deletedRecords: erased.deletedRecords,
        });
      }
      const completion = await store.completeBatch(
        {
          batchId: batch.batchId,
          kind: batch.kind,
          count: batch.count,
          keyId: batch.keyId,
          sentAt: batch.sentAt,
          receivedAt: nowIso,
          sha256: digestBody(request.body),
          itemsSha256,
          stored: result.stored,
          duplicates: result.duplicates + result.suppressed,
        },
        claimed.claim,
      );
      if (!completion.completed)
        logger.warn('batch taken over by another delivery after this claim lapsed', {
          batchId: batch.batchId,
        });
      if (completion.marksLeft > 0)
        logger.warn('counter marks left on totals', {
          batchId: batch.batchId,
          marksLeft: completion.marksLeft,
        });
      logger.info('batch stored', { batchId: batch.batchId, kind: batch.kind, ...result });
      return {
        status: 200,
        response: {
          ok: true,
          batchId: batch.batchId,
          stored: result.stored,
          duplicates: result.duplicates + result.suppressed,
          duplicateBatch: false,
        },
      };
    },
  };
}
