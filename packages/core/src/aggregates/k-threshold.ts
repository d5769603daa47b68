import type { PartialAggregate } from './partial.ts';

/** Default k: a cell is released only with at least 10 distinct subjects. */
export const DEFAULT_K = 10;

/**
 * True when a cell may be released: it has at least `k` distinct subjects. Cells of event types
 * without a subject have none and are never released (fail closed).
 *
 * @example meetsK(partial, 10)
 */
export function meetsK(partial: PartialAggregate, k: number): boolean {
  return partial.subjects.length >= k;
}
