import type { PartialAggregate } from './partial.ts';

/** Default k: a cell is released only with at least 10 distinct subjects. */
export const DEFAULT_K = 10;

/**
 * The distinct subjects of a partial. Counted again rather than trusting `subjects.length`: a
 * partial read back from storage that repeats a token must not pass k on the repeat.
 */
export function distinctSubjectsOf(partial: PartialAggregate): number {
  const { subjects } = partial;
  for (let i = 1; i < subjects.length; i++) {
    if ((subjects[i] as string) <= (subjects[i - 1] as string)) return new Set(subjects).size;
  }
  return subjects.length;
}

/**
 * True when a cell may be released: it has at least `k` distinct subjects. Cells of event types
 * without a subject have none and are never released (fail closed).
 *
 * @example meetsK(partial, 10)
 */
export function meetsK(partial: PartialAggregate, k: number): boolean {
  return distinctSubjectsOf(partial) >= k;
}
