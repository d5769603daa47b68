import type { AggregateCell } from '../model/outbox.ts';
import { needs } from '../needs.ts';
import { carriedByK, coarsenMetric } from './disclosure.ts';
import { type AggregateGroup, groupKeyOf } from './group.ts';
import { distinctSubjectsOf } from './k-threshold.ts';
import { addNoise, type MetricRange, type NoiseOptions } from './noise.ts';
import { mergePartials, type PartialAggregate } from './partial.ts';
import { type AggregateWindow, windowStartIso } from './window.ts';

/** Schema id of released cells. */
export const AGGREGATE_CELL_SCHEMA_ID = 'residency.aggregate.v1';

/** The partial of one cell from one shard (or the merge of several), as the closer reads it. */
export interface CellPartial {
  readonly cellId: string;
  readonly window: AggregateWindow;
  readonly group: AggregateGroup;
  readonly partial: PartialAggregate;
}

/**
 * Merges the shards' partials of a window into one partial per cell, sorted by cell id. The
 * result does not depend on the order of the input (merging is commutative and associative).
 */
export function mergeCellPartials(partials: Iterable<CellPartial>): CellPartial[] {
  const cells = new Map<string, CellPartial>();
  for (const item of partials) {
    const known = cells.get(item.cellId);
    if (!known) {
      cells.set(item.cellId, item);
      continue;
    }
    needs(
      known.window.startMillis === item.window.startMillis &&
        known.window.seconds === item.window.seconds &&
        groupKeyOf(known.group) === groupKeyOf(item.group),
      'Precondition: partials with one cell id have one window and group',
    );
    cells.set(item.cellId, { ...known, partial: mergePartials(known.partial, item.partial) });
  }
  return [...cells.values()].sort((a, b) => (a.cellId < b.cellId ? -1 : a.cellId > b.cellId ? 1 : 0));
}

/** Privacy policy of a release. */
export interface ReleaseOptions {
  /** Minimum distinct subjects of a released cell. Default (see `DEFAULT_K`): 10. */
  k: number;
  /** Add discrete Laplace noise. Default: none. */
  noise?: NoiseOptions;
  /**
   * The value range of a metric, for the open edges of coarsened min and max in an exact
   * release. Default: none (the catalog's first and last histogram bounds stand in).
   */
  metricRange?: (group: AggregateGroup, metric: string) => MetricRange | undefined;
}

/** What a window's release produced. */
export interface WindowRelease {
  /** Cells to send, in cell id order. */
  readonly released: readonly AggregateCell[];
  /** Cells held back because they had fewer than k distinct subjects (counted, never sent). */
  readonly suppressedCells: number;
  /** Events in the suppressed cells. */
  readonly suppressedEvents: number;
}

/**
 * Turns merged cells into released cells: suppresses every cell with fewer than k distinct
 * subjects (on exact counts, so a cell of k - 1 never leaves, whatever the noise), then adds
 * noise when asked. Without noise, metrics are coarsened so that no small cell hides inside a
 * released one (see `coarsenMetric`: no exact min or max, no histogram bucket of fewer than k
 * subjects). Nothing about a suppressed cell is in the released cells. Deterministic given the
 * noise's randomness.
 *
 * @example releaseCells(mergeCellPartials(partials), { k: 10 })
 */
export function releaseCells(cells: readonly CellPartial[], options: ReleaseOptions): WindowRelease {
  needs(Number.isInteger(options.k) && options.k >= 1, 'Precondition: k is a positive integer');
  const released: AggregateCell[] = [];
  let suppressedCells = 0;
  let suppressedEvents = 0;
  for (const cell of cells) {
    if (distinctSubjectsOf(cell.partial) < options.k) {
      suppressedCells += 1;
      suppressedEvents += cell.partial.count;
      continue;
    }
    const exact = exactCell(cell, options);
    released.push(options.noise ? addNoise(exact, cell.group, options.noise) : exact);
  }
  return { released, suppressedCells, suppressedEvents };
}

function exactCell(cell: CellPartial, options: ReleaseOptions): AggregateCell {
  const distinctSubjects = distinctSubjectsOf(cell.partial);
  const size = { count: cell.partial.count, distinctSubjects };
  const metrics: AggregateCell['metrics'] = {};
  for (const [name, summary] of Object.entries(cell.partial.metrics)) {
    if (options.noise) {
      // A metric fewer than k subjects carry is left out with noise too: its presence is not noised.
      if (!carriedByK(summary, size, options.k)) continue;
      // Noise protects the rest (the noisy histogram gives min and max); it needs the full histogram.
      const { sum, min, max } = summary;
      metrics[name] = { sum, min, max, bounds: [...summary.bounds], counts: [...summary.counts] };
      continue;
    }
    const released = coarsenMetric(summary, size, options.k, options.metricRange?.(cell.group, name));
    if (released) metrics[name] = released;
  }
  return {
    schema: AGGREGATE_CELL_SCHEMA_ID,
    cellId: cell.cellId,
    catalog: cell.group.catalog,
    type: cell.group.type,
    tenantId: cell.group.tenantId,
    windowStart: windowStartIso(cell.window),
    windowSeconds: cell.window.seconds,
    dimensions: { ...cell.group.dimensions },
    count: cell.partial.count,
    distinctSubjects,
    metrics,
    privacy: { k: options.k, ...(options.noise ? { epsilon: options.noise.epsilon } : {}) },
  };
}
