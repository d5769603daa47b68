import { describe, expect, it } from 'vitest';
import { renderTable, runLoadtest } from '../src/index.ts';

const positiveFinite = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('runLoadtest: ceiling only', () => {
  it('measures every primitive on generated events and reports positive finite figures', async () => {
    // Act: a small, quick run (no emulators are started for the ceiling)
    const report = await runLoadtest({ scenarios: ['ceiling'], events: 400, ceilingMillisPerPrimitive: 5 });
    // Assess
    const json = JSON.parse(JSON.stringify(report));
    expect(json.skipped).toEqual([]);
    expect(json.hotpath).toBeNull();
    const ceiling = json.ceiling;
    expect(ceiling.events).toBe(400);
    for (const field of [
      'eventsPerSecond',
      'warmMicrosPerEvent',
      'coldEventsPerSecond',
      'identifiersPerEvent',
      'meanOutboundBytes',
    ]) {
      expect(positiveFinite(ceiling[field]), field).toBe(true);
    }
    expect(Object.keys(ceiling.primitives).sort()).toEqual(
      [
        'cacheLookup',
        'decodeParse',
        'dynamodbCallSdk',
        'hmac',
        'outboxSdk',
        'recordId',
        'serialize',
        'validate',
      ].sort(),
    );
    for (const [name, primitive] of Object.entries<Record<string, number>>(ceiling.primitives)) {
      expect(positiveFinite(primitive.microsPerCall), name).toBe(true);
    }
    expect(ceiling.coldMicrosPerEvent).toBeGreaterThan(ceiling.warmMicrosPerEvent);
    expect(json.machine.cpus).toBeGreaterThan(0);
    expect(renderTable(report)).toContain('ceiling');
  });
});
