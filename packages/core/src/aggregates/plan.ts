import { applyFenced, countLateFenced, type FencedLateCount, type FencedPartial } from './fence.ts';
import { type AggregateGroup, createCellIdMemo } from './group.ts';
import type { Observation } from './observation.ts';
import { isAfter } from './sequence.ts';
import { type AggregateWindow, isPastLateness, windowKeyOf } from './window.ts';

/** What is stored for one shard, as the planner needs it (read in one batched call by the adapter). */
export interface ShardAggregateState {
  /** The stored partial of a cell (window + group) of this shard, by cell id. */
  partial(cellId: string): FencedPartial | undefined;
  /** The stored late count of a window of this shard, by window key. */
  late(windowKey: string): FencedLateCount | undefined;
  /** True when the window was already closed (released): its events are late whatever the time. */
  isClosed(windowKey: string): boolean;
  /**
   * True when an event of this id was already applied to the cell (the adapter keeps the ids of
   * recently applied events). Absent: ids are not checked.
   */
  holdsEvent?(cellId: string, eventId: string): boolean;
}

/** Timing of {@link planShardBatch}. */
export interface ShardBatchOptions {
  /** Events of a window whose end plus this many seconds has passed are late. */
  allowedLatenessSeconds: number;
  /** Now, epoch millis. */
  nowMillis: number;
  /**
   * The cell id of a window and group: the caller's {@link createCellIdMemo}, when it has already
   * keyed the batch's cells. Default: a memo of this batch's own.
   */
  cellIdOf?: (window: AggregateWindow, group: AggregateGroup) => string;
}

/** A partial to write: the new state, and the fence it replaces (`undefined`: a new item). */
export interface PartialWrite {
  readonly cellId: string;
  readonly window: AggregateWindow;
  readonly group: AggregateGroup;
  /** The stored fence this write replaces; `undefined` when the item does not exist yet. */
  readonly previousSequenceNumber: string | undefined;
  readonly state: FencedPartial;
  /** Sequence numbers of the events this write applies (retry them all if it fails). */
  readonly sequenceNumbers: readonly string[];
  /** Ids of the events this write applies: the adapter keeps them, so that a repeat is known. */
  readonly eventIds: readonly string[];
}

/** A late counter to write. */
export interface LateWrite {
  readonly window: AggregateWindow;
  readonly windowKey: string;
  readonly previousSequenceNumber: string | undefined;
  readonly state: FencedLateCount;
  readonly sequenceNumbers: readonly string[];
}

/** Everything one batch of one shard changes. Writes are independent: each can fail alone. */
export interface ShardBatchPlan {
  readonly partialWrites: readonly PartialWrite[];
  readonly lateWrites: readonly LateWrite[];
  /** Windows that receive on-time events (the adapter registers them for the window closer). */
  readonly openWindows: readonly AggregateWindow[];
  /** Events applied to partials now. */
  readonly applied: number;
  /** Late events counted now. */
  readonly late: number;
  /** Events an earlier delivery already applied or counted. */
  readonly duplicates: number;
  /** Records of an event id that another record already counts (a producer's repeat). */
  readonly repeated: number;
}

/**
 * Plans what a batch of one shard does to the aggregates: which events are new (after their
 * cell's fence), which are late (window closed, or past its allowed lateness) and which were
 * applied by an earlier delivery. Pure; the adapter reads the state, calls this, and writes each
 * item whole, fence included. A shard has one writer, so the fence it read is still the stored one.
 *
 * Redelivery law (property-tested): whatever prefix of a shard is delivered again, in whatever
 * batches, partials end equal to the aggregate of each event exactly once.
 *
 * Repeats: a producer that puts an event again after an ambiguous failure gives it a second
 * sequence number, past the fence. Such a record is dropped when an earlier record of the batch
 * had its event id, or when the adapter knows the id as applied (`holdsEvent`). A repeat has
 * the same content, so the same cell, and the same partition key, so the same shard.
 *
 * Precondition: `observations` are of one shard, in ascending sequence order.
 */
export function planShardBatch(
  observations: readonly Observation[],
  state: ShardAggregateState,
  options: ShardBatchOptions,
): ShardBatchPlan {
  // Each cell the batch touches, with what is known of it once: its fence and whether its window
  // takes events. `planned`: the cells with events to apply, in the order their first one came.
  const cells = new Map<string, PlannedCell>();
  const planned: PlannedCell[] = [];
  const lateByWindow = new Map<string, { window: AggregateWindow; sequenceNumbers: string[] }>();
  const cellIdFor = options.cellIdOf ?? createCellIdMemo();
  const seen = new Set<string>();
  let duplicates = 0;
  let repeated = 0;
  for (const observation of observations) {
    const { window, group } = observation;
    const cellId = cellIdFor(window, group);
    let cell = cells.get(cellId);
    if (cell === undefined) {
      const windowKey = windowKeyOf(window);
      const stored = state.partial(cellId);
      cell = {
        cellId,
        window,
        windowKey,
        group,
        stored,
        late:
          state.isClosed(windowKey) ||
          isPastLateness(window, options.allowedLatenessSeconds, options.nowMillis),
        observations: [],
      };
      cells.set(cellId, cell);
    }
    // Applied by an earlier delivery: neither applied again nor counted late.
    if (!isAfter(observation.sequenceNumber, cell.stored?.lastSequenceNumber)) {
      duplicates += 1;
      continue;
    }
    const { eventId } = observation;
    if (eventId !== undefined) {
      if (seen.has(eventId) || state.holdsEvent?.(cellId, eventId)) {
        repeated += 1;
        continue;
      }
      seen.add(eventId);
    }
    if (cell.late) {
      let late = lateByWindow.get(cell.windowKey);
      if (late === undefined) {
        late = { window, sequenceNumbers: [] };
        lateByWindow.set(cell.windowKey, late);
      }
      late.sequenceNumbers.push(observation.sequenceNumber);
      continue;
    }
    if (cell.observations.length === 0) planned.push(cell);
    cell.observations.push(observation);
  }

  const partialWrites: PartialWrite[] = [];
  const openWindows = new Map<string, AggregateWindow>();
  let applied = 0;
  for (const cell of planned) {
    const fenced = applyFenced(cell.stored, cell.observations);
    if (!fenced.state || fenced.applied.length === 0) continue;
    applied += fenced.applied.length;
    openWindows.set(cell.windowKey, cell.window);
    partialWrites.push({
      cellId: cell.cellId,
      window: cell.window,
      group: cell.group,
      previousSequenceNumber: cell.stored?.lastSequenceNumber,
      state: fenced.state,
      sequenceNumbers: fenced.applied,
      eventIds: eventIdsOf(cell.observations),
    });
  }

  const lateWrites: LateWrite[] = [];
  let late = 0;
  for (const [windowKey, entry] of lateByWindow) {
    const stored = state.late(windowKey);
    const fenced = countLateFenced(stored, entry.sequenceNumbers);
    duplicates += fenced.duplicates;
    if (!fenced.state || fenced.applied.length === 0) continue;
    late += fenced.applied.length;
    lateWrites.push({
      window: entry.window,
      windowKey,
      previousSequenceNumber: stored?.lastSequenceNumber,
      state: fenced.state,
      sequenceNumbers: fenced.applied,
    });
  }
  return {
    partialWrites,
    lateWrites,
    openWindows: [...openWindows.values()],
    applied,
    late,
    duplicates,
    repeated,
  };
}

// The ids of the events that have one, in order (no array per event, as `flatMap` would make).
function eventIdsOf(observations: readonly Observation[]): string[] {
  const ids: string[] = [];
  for (const o of observations) if (o.eventId !== undefined) ids.push(o.eventId);
  return ids;
}

// A cell one batch touches, as the planner sees it.
interface PlannedCell {
  readonly cellId: string;
  readonly window: AggregateWindow;
  readonly windowKey: string;
  readonly group: AggregateGroup;
  /** Its stored partial, asked for once. */
  readonly stored: FencedPartial | undefined;
  /** Its window takes no more events (closed, or past its allowed lateness). */
  readonly late: boolean;
  /** The batch's events to apply to it, in order. */
  readonly observations: Observation[];
}
