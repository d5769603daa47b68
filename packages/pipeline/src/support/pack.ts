/** Limits of one group of {@link packInOrder}. */
export interface PackLimits {
  /** Most bytes of a group: its items' sizes and the separators between them. */
  maxBytes: number;
  /** Most items of a group. Default: no limit. */
  maxItems?: number;
  /** Bytes between two items of a group (a newline, a comma). Default: 0. */
  separatorBytes?: number;
}

/**
 * Cuts `items` into groups of consecutive items, in order, each within `limits`; a group is closed
 * as soon as the next item would not fit, and an item larger than `maxBytes` goes in a group of
 * its own. One greedy packer for the outbox's records and PutRecords calls and the aggregates'
 * pages.
 *
 * @example packInOrder(['ab', 'cd', 'e'], (s) => s.length, { maxBytes: 5, separatorBytes: 1 }) // [['ab', 'cd'], ['e']]
 */
export function packInOrder<T>(items: Iterable<T>, sizeOf: (item: T) => number, limits: PackLimits): T[][] {
  const separator = limits.separatorBytes ?? 0;
  const maxItems = limits.maxItems ?? Number.POSITIVE_INFINITY;
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + separator + size > limits.maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    bytes += current.length > 0 ? separator + size : size;
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
