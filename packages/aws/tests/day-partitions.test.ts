import { describe, expect, it } from 'vitest';
import { DAY_PARTITIONS, dayPartitionKey, dayPartitionKeys } from '../src/day-partitions.ts';

describe('dayPartitionKey', () => {
  it('puts an item on the same part of its day every time, and the day on all of its parts', () => {
    // Prepare
    const ids = Array.from({ length: 400 }, () => crypto.randomUUID());
    // Act
    const keys = ids.map((id) => dayPartitionKey('EGRESS', '2025-03-04', id));
    // Assess
    expect(ids.map((id) => dayPartitionKey('EGRESS', '2025-03-04', id))).toEqual(keys);
    const all = dayPartitionKeys('EGRESS', '2025-03-04');
    expect(all).toHaveLength(DAY_PARTITIONS);
    for (const key of keys) expect(all).toContain(key);
    // Spread evenly enough: every part gets some of 400 items, none more than twice its share.
    const counts = all.map((part) => keys.filter((k) => k === part).length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan((2 * ids.length) / DAY_PARTITIONS);
  });
});
