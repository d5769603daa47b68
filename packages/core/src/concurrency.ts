import { needs } from './needs.ts';

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping order. The first
 * failure rejects the whole map once the calls in flight have settled.
 *
 * @example await mapWithConcurrency(entries, 16, (e) => store.putEntryIfAbsent(e))
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  needs(Number.isInteger(limit) && limit >= 1, 'Precondition: concurrency limit is a positive integer');
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  async function worker(): Promise<void> {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
