import { describe, expect, it } from 'vitest';
import { medianOf } from '../src/scenarios/hotpath.ts';
import { pass } from './fixtures.ts';

describe('medianOf (warm measurements)', () => {
  it('reports the measurement with the median throughput, whole, with the throughput of every one in run order', () => {
    // Prepare
    const slow = pass({ eventsPerSecond: 8_000, cpuMicrosPerEvent: 140, notes: ['a'] });
    const fast = pass({ eventsPerSecond: 12_000, cpuMicrosPerEvent: 95, notes: ['a'] });
    const middle = pass({ eventsPerSecond: 10_000, cpuMicrosPerEvent: 110, notes: ['a'] });
    // Act
    const median = medianOf([slow, fast, middle]);
    // Assess
    expect(median).toMatchObject({ eventsPerSecond: 10_000, cpuMicrosPerEvent: 110, notes: ['a'] });
    expect(median.measurements).toEqual([8_000, 12_000, 10_000]);
    expect(medianOf([fast])).toBe(fast);
  });
});
