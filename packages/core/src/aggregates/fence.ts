import { needs } from '../needs.ts';
import type { Observation } from './observation.ts';
import { addObservations, EMPTY_PARTIAL, type PartialAggregate } from './partial.ts';
import { compareSequenceNumbers, isAfter } from './sequence.ts';

/**
 * The stored partial of one (window, group, shard), fenced by the sequence number of the last
 * event applied to it. Invariant: every event of that shard and cell up to `lastSequenceNumber`
 * has been applied exactly once, and none after it (a shard is read in order).
 */
export interface FencedPartial {
  readonly lastSequenceNumber: string;
  readonly partial: PartialAggregate;
}

/** Late events of one (window, shard): how many, fenced like a partial. */
export interface FencedLateCount {
  readonly lastSequenceNumber: string;
  readonly count: number;
}

/** The result of fencing a run of events against stored state. */
export interface Fenced<S> {
  /** The new state; `undefined` when nothing was stored and nothing applied. */
  readonly state: S | undefined;
  /** Sequence numbers of the events applied now. */
  readonly applied: readonly string[];
  /** Events at or before the fence: already applied by an earlier delivery. */
  readonly duplicates: number;
}

/**
 * Applies the events of one cell and shard that come after the fence, and moves the fence.
 * Redelivering any of them again changes nothing.
 *
 * Precondition: `observations` are of one shard and cell, in ascending sequence order.
 */
export function applyFenced(
  stored: FencedPartial | undefined,
  observations: readonly Observation[],
): Fenced<FencedPartial> {
  // No array but the results: the planner calls this for every cell of every batch.
  assertAscending(observations, (o) => o.sequenceNumber);
  const fence = stored?.lastSequenceNumber;
  const fresh: Observation[] = [];
  const applied: string[] = [];
  for (const observation of observations) {
    if (!isAfter(observation.sequenceNumber, fence)) continue;
    fresh.push(observation);
    applied.push(observation.sequenceNumber);
  }
  const last = applied[applied.length - 1];
  if (last === undefined) return { state: stored, applied: [], duplicates: observations.length };
  return {
    state: {
      lastSequenceNumber: last,
      partial: addObservations(stored?.partial ?? EMPTY_PARTIAL, fresh),
    },
    applied,
    duplicates: observations.length - fresh.length,
  };
}

/** Counts late events after the fence of a (window, shard) late counter. */
export function countLateFenced(
  stored: FencedLateCount | undefined,
  sequenceNumbers: readonly string[],
): Fenced<FencedLateCount> {
  assertAscending(sequenceNumbers, (s) => s);
  const fresh = sequenceNumbers.filter((s) => isAfter(s, stored?.lastSequenceNumber));
  const last = fresh[fresh.length - 1];
  if (last === undefined) return { state: stored, applied: [], duplicates: sequenceNumbers.length };
  return {
    state: { lastSequenceNumber: last, count: (stored?.count ?? 0) + fresh.length },
    applied: fresh,
    duplicates: sequenceNumbers.length - fresh.length,
  };
}

function assertAscending<T>(items: readonly T[], sequenceOf: (item: T) => string): void {
  for (let i = 1; i < items.length; i++) {
    needs(
      compareSequenceNumbers(sequenceOf(items[i - 1] as T), sequenceOf(items[i] as T)) < 0,
      'Precondition: the events of a shard are in ascending sequence order',
    );
  }
}
