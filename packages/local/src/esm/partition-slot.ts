import { createHash } from 'node:crypto';

/**
 * The concurrent lane of a shard a record goes to when `ParallelizationFactor` is above 1. Lambda
 * keeps records with the same partition key in order by sending them to the same lane; we hash
 * the key with MD5 (as Kinesis does to pick a shard) and take the first 32 bits modulo the lanes.
 */
export function partitionSlot(partitionKey: string, slots: number): number {
  if (slots <= 1) return 0;
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % slots;
}
