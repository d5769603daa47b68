import type {
  AggregateGroup,
  AggregateWindow,
  CellPartial,
  FencedLateCount,
  FencedPartial,
  MetricSummary,
  PartialWrite,
} from '@residency/core/aggregates';
import { windowStartIso } from '@residency/core/aggregates';
import { partialKey } from './keys.ts';

/** A partial aggregate of one (window, group, shard), fenced by `lastSequence`. */
export interface PartialItem {
  pk: string;
  sk: string;
  kind: 'partial';
  cellId: string;
  catalog: string;
  type: string;
  tenantId: string;
  dimensions: Record<string, string>;
  windowStart: string;
  windowSeconds: number;
  shardId: string;
  /** Sequence number of the last event applied; the fence. */
  lastSequence: string;
  count: number;
  /**
   * Distinct subject tokens not yet sealed (a string set; absent when empty, as DynamoDB has no
   * empty sets). The partial's subjects are these and those of its sealed chunks.
   */
  subjects?: Set<string>;
  /** How many chunks of subjects were sealed (chunks 0 to this - 1 count); absent: none. */
  sealedSubjects?: number;
  /** When the table's TTL may delete the item, epoch seconds (see the store's `retentionDays`). */
  expiresAt?: number;
  metrics: Record<string, { sum: number; min: number; max: number; bounds: number[]; counts: number[] }>;
  updatedAt: string;
}

/**
 * Ids (see {@link eventFingerprint}) of events a batch applied in one (window, shard), written once
 * after its partials, so that a producer's repeat is known later: the event log the store reads
 * when it takes a shard over. The closer does not read it.
 */
export interface EventLogItem {
  pk: string;
  sk: string;
  kind: 'events';
  shardId: string;
  windowStart: string;
  windowSeconds: number;
  ids: Set<string>;
  loggedAt: string;
  /** When the table's TTL may delete the item, epoch seconds: a day after the allowed lateness. */
  expiresAt?: number;
}

/**
 * Subjects a partial sealed, so that the partial item stays far below DynamoDB's 400 KB however
 * many distinct subjects its cell has: written once, before the partial that counts it. A chunk
 * numbered at or past the partial's `sealedSubjects` is left from an attempt that did not finish,
 * and is not read. Subjects may repeat across chunks and the partial; readers take the union.
 */
export interface SubjectsChunkItem {
  pk: string;
  sk: string;
  kind: 'subjects';
  cellId: string;
  n: number;
  subjects: Set<string>;
  /** As the partial's. */
  expiresAt?: number;
}

/** A window's item: its state for the closer and for late-event detection. */
export interface WindowItem {
  pk: string;
  sk: string;
  kind: 'window';
  windowStart: string;
  windowSeconds: number;
  status: 'open' | 'closed';
  openedAt: string;
  closedAt?: string;
  releasedCells?: number;
  suppressedCells?: number;
  suppressedEvents?: number;
  lateEvents?: number;
  epsilon?: number;
}

/** A shard's item in a window: registration for the closer, and the shard's late counter. */
export interface ShardItem {
  pk: string;
  sk: string;
  kind: 'shard';
  shardId: string;
  windowStart: string;
  windowSeconds: number;
  registeredAt: string;
  lateCount?: number;
  lateLastSequence?: string;
  /**
   * The claim of the writer that last took this shard's partials of the window (a random token,
   * set before its first put). A writer trusts the partials it cached only while this is its claim.
   */
  writer?: string;
}

/** A window's epsilon ledger entry: written once, before the first noisy release. */
export interface LedgerItem {
  pk: string;
  sk: string;
  kind: 'ledger';
  mechanism: string;
  epsilon: number;
  k: number;
  /** How the budget is spent per cell. */
  composition: string;
  /** Secret seed of the noise (so a retried release draws the same noise). Never leaves the region. */
  seed: Uint8Array;
  recordedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * How the event log keeps an event id, so that a producer's repeat is not counted again: a UUID's 16
 * bytes in base64url (22 characters instead of 36), anything else as it is. Exact, not a hash.
 * Event ids are random and public (each outbound record carries its own).
 */
export function eventFingerprint(eventId: string): string {
  if (eventId.length !== 36 || !UUID.test(eventId)) return eventId;
  const hex = `${eventId.slice(0, 8)}${eventId.slice(9, 13)}${eventId.slice(14, 18)}${eventId.slice(19, 23)}${eventId.slice(24)}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** The item a planned partial write stores. */
export function partialItemOf(shardId: string, write: PartialWrite, nowMillis: number): PartialItem {
  const { partial } = write.state;
  const metrics: PartialItem['metrics'] = {};
  for (const [name, m] of Object.entries(partial.metrics)) {
    metrics[name] = { sum: m.sum, min: m.min, max: m.max, bounds: [...m.bounds], counts: [...m.counts] };
  }
  return {
    ...partialKey(write.window, shardId, write.cellId),
    kind: 'partial',
    cellId: write.cellId,
    catalog: write.group.catalog,
    type: write.group.type,
    tenantId: write.group.tenantId,
    dimensions: { ...write.group.dimensions },
    windowStart: windowStartIso(write.window),
    windowSeconds: write.window.seconds,
    shardId,
    lastSequence: write.state.lastSequenceNumber,
    count: partial.count,
    ...(partial.subjects.length > 0 ? { subjects: new Set(partial.subjects) } : {}),
    metrics,
    updatedAt: new Date(nowMillis).toISOString(),
  };
}

/** The fenced partial a stored item holds. */
export function fencedPartialOf(item: PartialItem): FencedPartial {
  const metrics: Record<string, MetricSummary> = {};
  for (const name of Object.keys(item.metrics ?? {}).sort()) {
    const m = item.metrics[name] as PartialItem['metrics'][string];
    metrics[name] = { sum: m.sum, min: m.min, max: m.max, bounds: m.bounds, counts: m.counts };
  }
  return {
    lastSequenceNumber: item.lastSequence,
    partial: { count: item.count, subjects: [...(item.subjects ?? [])].sort(), metrics },
  };
}

/**
 * The cell partial a stored item holds, as the closer merges it: with the subjects of its sealed
 * chunks that count (numbered below its `sealedSubjects`; others are left from unfinished writes).
 */
export function cellPartialOf(item: PartialItem, chunks: readonly SubjectsChunkItem[] = []): CellPartial {
  const window: AggregateWindow = { startMillis: Date.parse(item.windowStart), seconds: item.windowSeconds };
  const group: AggregateGroup = {
    catalog: item.catalog,
    type: item.type,
    tenantId: item.tenantId,
    dimensions: item.dimensions ?? {},
  };
  const { partial } = fencedPartialOf(item);
  const counted = chunks.filter((c) => c.cellId === item.cellId && c.n < (item.sealedSubjects ?? 0));
  if (counted.length === 0) return { cellId: item.cellId, window, group, partial };
  const subjects = new Set(partial.subjects);
  for (const chunk of counted) for (const subject of chunk.subjects) subjects.add(subject);
  return { cellId: item.cellId, window, group, partial: { ...partial, subjects: [...subjects].sort() } };
}

/** The late counter a shard item holds. */
export function fencedLateOf(item: ShardItem | undefined): FencedLateCount | undefined {
  if (!item?.lateLastSequence) return undefined;
  return { lastSequenceNumber: item.lateLastSequence, count: item.lateCount ?? 0 };
}
