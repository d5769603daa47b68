import { type AggregateWindow, windowKeyOf } from '@residency/core/aggregates';

/**
 * Key layout of the aggregates table (`pk` + `sk`, both strings). One window's bookkeeping shares
 * a partition; each shard's partials of a window have their own, so writes spread with the shards.
 *
 * | item | pk | sk |
 * | --- | --- | --- |
 * | open-window index | `OPEN` | `<windowStart ISO>#<seconds>` |
 * | window | `W#<windowStart ISO>#<seconds>` | `WINDOW` |
 * | shard in window (+ late counter) | `W#<windowStart ISO>#<seconds>` | `SHARD#<shardId>` |
 * | epsilon ledger | `W#<windowStart ISO>#<seconds>` | `LEDGER` |
 * | page of partials (one batch's touched cells) | `W#<windowStart ISO>#<seconds>#<shardId>` | `G#<batch's first sequence number, 64 digits>#<write>.<part>` |
 * | sealed subjects of a partial | `W#<windowStart ISO>#<seconds>#<shardId>` | `S#<cellId>#<n, 6 digits>#<seal>` |
 * | event log (ids of applied events) | `W#<windowStart ISO>#<seconds>#<shardId>` | `E#<first sequence number, 64 digits>#<write>.<part>` |
 */
export const OPEN_PK = 'OPEN';
/** Sort key of a window's item. */
export const WINDOW_SK = 'WINDOW';
/** Sort key of a window's epsilon ledger entry. */
export const LEDGER_SK = 'LEDGER';
/** Sort key prefix of pages of partials. */
export const PAGE_SK_PREFIX = 'G#';
/** Sort key prefix of sealed subject chunks. */
export const SUBJECTS_SK_PREFIX = 'S#';
/** Sort key prefix of event log items. */
export const EVENT_LOG_SK_PREFIX = 'E#';
/** Sort key prefix of shard items. */
export const SHARD_SK_PREFIX = 'SHARD#';

/** A table key. */
export interface TableKey {
  pk: string;
  sk: string;
}

/** Partition of a window's bookkeeping. */
export function windowPk(window: AggregateWindow): string {
  return `W#${windowKeyOf(window)}`;
}

/** Key of a window's item. */
export function windowItemKey(window: AggregateWindow): TableKey {
  return { pk: windowPk(window), sk: WINDOW_SK };
}

/** Key of a shard's item in a window. */
export function shardItemKey(window: AggregateWindow, shardId: string): TableKey {
  return { pk: windowPk(window), sk: `${SHARD_SK_PREFIX}${shardId}` };
}

/** Key of a window's ledger entry. */
export function ledgerKey(window: AggregateWindow): TableKey {
  return { pk: windowPk(window), sk: LEDGER_SK };
}

/** Partition of one shard's partials of a window. */
export function partialPk(window: AggregateWindow, shardId: string): string {
  return `${windowPk(window)}#${shardId}`;
}

/**
 * Key of one page of partials a batch put in a (window, shard): sorted by the batch's first
 * sequence number (zero-padded, so that the newest sort last).
 */
export function pageKey(
  window: AggregateWindow,
  shardId: string,
  firstSequenceNumber: string,
  part: string,
): TableKey {
  return batchWriteKey(PAGE_SK_PREFIX, window, shardId, firstSequenceNumber, part);
}

/**
 * Key of a partial's `n`th chunk of sealed subjects, as `seal` put it (chunks that older code
 * wrote have no seal in their key).
 */
export function subjectsChunkKey(
  window: AggregateWindow,
  shardId: string,
  cellId: string,
  n: number,
  seal: string,
): TableKey {
  return {
    pk: partialPk(window, shardId),
    sk: `${SUBJECTS_SK_PREFIX}${cellId}#${String(n).padStart(6, '0')}#${seal}`,
  };
}

/**
 * Key of one part of a batch's event log in a (window, shard): sorted by the batch's first logged
 * sequence number (zero-padded, so that the newest sort last).
 */
export function eventLogKey(
  window: AggregateWindow,
  shardId: string,
  firstSequenceNumber: string,
  part: string,
): TableKey {
  return batchWriteKey(EVENT_LOG_SK_PREFIX, window, shardId, firstSequenceNumber, part);
}

// An item one batch writes in a (window, shard) partition, never replaced: `<prefix><first
// sequence number, 64 digits>#<part>`.
function batchWriteKey(
  prefix: string,
  window: AggregateWindow,
  shardId: string,
  firstSequenceNumber: string,
  part: string,
): TableKey {
  return { pk: partialPk(window, shardId), sk: `${prefix}${firstSequenceNumber.padStart(64, '0')}#${part}` };
}

/** Key of a window's entry in the open-window index. */
export function openKey(window: AggregateWindow): TableKey {
  return { pk: OPEN_PK, sk: windowKeyOf(window) };
}

/** Parses `<windowStart ISO>#<seconds>` back into a window. */
export function parseWindowKey(key: string): AggregateWindow | undefined {
  const [iso, seconds] = key.split('#');
  const startMillis = Date.parse(iso ?? '');
  const length = Number(seconds);
  if (!Number.isFinite(startMillis) || !Number.isInteger(length) || length <= 0) return undefined;
  return { startMillis, seconds: length };
}
