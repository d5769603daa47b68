import { describe, expect, it } from 'vitest';
import { createPortMeter } from '../src/measure/port-meter.ts';

/** Burns at least `millis` of this process's CPU (however busy the machine is). */
function spin(millis: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= millis * 1000) return;
  }
}

describe('port meter', () => {
  it('times each port call until its promise settles, by port, and forgets on reset', async () => {
    // Prepare: a port that burns CPU, then waits without CPU
    const meter = createPortMeter();
    const port = meter.wrap('aggregates', {
      label: 'kept as it is',
      async apply(n: number) {
        spin(20);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return n * 2;
      },
    });
    const other = meter.wrap('outbox', {
      async send() {
        throw new Error('refused');
      },
    });

    // Act
    const results = [await port.apply(1), await port.apply(2)];
    await expect(other.send()).rejects.toThrow('refused');
    const measured = meter.snapshot();
    meter.reset();

    // Assess
    expect(results).toEqual([2, 4]);
    expect(port.label).toBe('kept as it is');
    expect(measured.aggregates?.calls).toBe(2);
    expect(measured.aggregates?.cpuMicros).toBeGreaterThanOrEqual(40_000);
    expect(measured.aggregates?.wallMillis).toBeGreaterThanOrEqual(55); // two 30 ms waits, less timer slack
    expect(measured.aggregates?.wallMillis).toBeGreaterThan((measured.aggregates?.cpuMicros ?? 0) / 1000);
    expect(measured.outbox?.calls).toBe(1);
    expect(meter.snapshot()).toEqual({});
  });
});
