/**
 * Partitions one day of a log table is spread over. One DynamoDB partition takes about 1,000
 * write units a second; a log keyed by day alone puts a whole day's writes on one partition, and
 * a throttled log write fails the batch that made it.
 */
export const DAY_PARTITIONS = 16;

/**
 * The partition key of a log item: `<prefix>#<yyyy-mm-dd>#<part>`, the part (`0`..`f`) chosen by
 * `spreadBy` (a batch id, a stream position: never anything personal), the same part every time.
 *
 * @example dayPartitionKey('EGRESS', '2025-03-04', batchId) // 'EGRESS#2025-03-04#b'
 */
export function dayPartitionKey(prefix: string, day: string, spreadBy: string): string {
  // A string hash (31-multiplier), only to pick a part evenly; it protects nothing.
  let h = 0;
  for (let i = 0; i < spreadBy.length; i++) h = (h * 31 + spreadBy.charCodeAt(i)) >>> 0;
  return `${prefix}#${day}#${(h % DAY_PARTITIONS).toString(16)}`;
}

/** Every partition key of one day (`yyyy-mm-dd`) of a log: query them all to read the day. */
export function dayPartitionKeys(prefix: string, day: string): string[] {
  return Array.from({ length: DAY_PARTITIONS }, (_, i) => `${prefix}#${day}#${i.toString(16)}`);
}
