import * as hdr from 'hdr-histogram-js';

/** Percentiles of a latency distribution, in milliseconds (HdrHistogram, 3 significant digits). */
export interface LatencySummary {
  /** Values recorded. */
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Records latencies into an HdrHistogram (microsecond resolution) and summarizes them. */
export interface LatencyRecorder {
  /** Records one latency, or `count` equal ones (every record of a batch waits for the batch). */
  record(millis: number, count?: number): void;
  summary(): LatencySummary;
}

/** The summary of no values: all zero. */
export const EMPTY_LATENCY: LatencySummary = { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };

/**
 * Creates a {@link LatencyRecorder}. Values are kept in whole microseconds (1 µs to 1 hour).
 *
 * @example const latency = createLatencyRecorder(); latency.record(3.2); latency.summary().p99;
 */
export function createLatencyRecorder(): LatencyRecorder {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  return {
    record(millis, count = 1) {
      const micros = Math.min(3_600_000_000, Math.max(1, Math.round(millis * 1000)));
      if (count === 1) histogram.recordValue(micros);
      else if (count > 1) histogram.recordValueWithCount(micros, count);
    },
    summary() {
      if (histogram.totalCount === 0) return { ...EMPTY_LATENCY };
      const ms = (micros: number) => round3(micros / 1000);
      return {
        count: histogram.totalCount,
        p50: ms(histogram.getValueAtPercentile(50)),
        p90: ms(histogram.getValueAtPercentile(90)),
        p99: ms(histogram.getValueAtPercentile(99)),
        max: ms(histogram.maxValue),
        mean: ms(histogram.mean),
      };
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
