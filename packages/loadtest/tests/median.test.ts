import { describe, expect, it } from 'vitest';
import { medianOf } from '../src/scenarios/hotpath.ts';
import { pass } from './fixtures.ts';

describe('medianOf (warm measurements)', () => {
  it('reports the measurement with the median throughput, whole, and notes every one in run order', () => {
    // Prepare
    const slow = pass({ eventsPerSecond: 8_000, cpuMicrosPerEvent: 140, notes: ['a'] });
    const fast = pass({ eventsPerSecond: 12_000, cpuMicrosPerEvent: 95, notes: ['a'] });
    const middle = pass({ eventsPerSecond: 10_000, cpuMicrosPerEvent: 110, notes: ['a'] });
    // Act
    const median = medianOf([slow, fast, middle]);
    // Assess
    expect(median).toMatchObject({ eventsPerSecond: 10_000, cpuMicrosPerEvent: 110 });
    expect(median.notes).toEqual([
      'a',
      'median of 3 warm measurements (events/s, in run order: 8,000, 12,000, 10,000)',
    ]);
    expect(medianOf([fast])).toBe(fast);
  });
});
