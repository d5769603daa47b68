import { describe, expect, it } from 'vitest';
import { hotpathToCeiling } from '../src/index.ts';
import { medianOf } from '../src/scenarios/hotpath.ts';
import { ceiling, pass } from './fixtures.ts';

describe('the hot path / ceiling ratio of a run that measured them in pairs', () => {
  it('reports the median ceiling with every measurement in run order', () => {
    const measured = [30_000, 20_000, 25_000].map((eventsPerSecond) => ceiling({ eventsPerSecond }));
    const median = medianOf(measured);
    expect(median.eventsPerSecond).toBe(25_000);
    expect(median.measurements).toEqual([30_000, 20_000, 25_000]);
    expect(medianOf([ceiling({ eventsPerSecond: 9 })]).measurements).toBeUndefined();
  });

  it('takes the median of each pair, so a machine that slows down between pairs moves it little', () => {
    // Prepare: the machine loses a third of its speed after the second pair; each pair is 0.7
    const hot = pass({ eventsPerSecond: 14_000, measurements: [21_000, 21_000, 14_000, 14_000, 14_000] });
    const slowing = ceiling({
      eventsPerSecond: 20_000,
      measurements: [30_000, 30_000, 20_000, 20_000, 20_000],
    });

    // Act
    const paired = hotpathToCeiling(hot, slowing);
    // A ceiling measured once, at the start, on the faster machine
    const unpaired = hotpathToCeiling(hot, ceiling({ eventsPerSecond: 30_000 }));

    // Assess
    expect(paired).toBe(0.7);
    expect(unpaired).toBeCloseTo(0.467, 3);
  });

  it('falls back to the ratio of the medians when the measurements do not pair up', () => {
    const hot = pass({ eventsPerSecond: 10_000, measurements: [10_000, 12_000] });
    expect(hotpathToCeiling(hot, ceiling({ eventsPerSecond: 20_000, measurements: [20_000] }))).toBe(0.5);
    expect(hotpathToCeiling(null, ceiling())).toBeNull();
  });
});
