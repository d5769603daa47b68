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

  it('times overlapping calls of one port once, from the first start to the last settle', async () => {
    // Prepare: two calls begun together, as the ingest asks the vault for tokens and record ids;
    // each burns 30 ms of CPU in a continuation, while the other is still pending
    const meter = createPortMeter();
    const vault = meter.wrap('vault', {
      async tokenize() {
        await Promise.resolve();
        spin(30);
        return 'tokens';
      },
      async recordIds() {
        await Promise.resolve();
        spin(30);
        return 'ids';
      },
    });

    // Act
    const results = await Promise.all([vault.tokenize(), vault.recordIds()]);
    const measured = meter.snapshot();

    // Assess: 60 ms burnt, and not the 90 or more that timing each call until it settles counts
    expect(results).toEqual(['tokens', 'ids']);
    expect(measured.vault?.calls).toBe(2);
    expect(measured.vault?.cpuMicros).toBeGreaterThanOrEqual(60_000);
    expect(measured.vault?.cpuMicros).toBeLessThan(85_000);
  });

  it('drops a call begun before a reset instead of charging it to the next pass', async () => {
    // Prepare
    const meter = createPortMeter();
    let release: () => void = () => {};
    const port = meter.wrap('outbox', {
      send: () => new Promise<void>((resolve) => (release = resolve)),
      async put() {},
    });

    // Act: a call spans the reset; a new pass calls another method
    const pending = port.send();
    meter.reset();
    await port.put();
    spin(20);
    release();
    await pending;

    // Assess: the new pass has its own call only, and its short CPU time
    const measured = meter.snapshot();
    expect(measured.outbox?.calls).toBe(1);
    expect(measured.outbox?.cpuMicros).toBeLessThan(20_000);
  });
});
