import { clinicbook, createCountryResolver, validateEvent } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { generateClinicBook } from '../src/index.ts';

const countryOf = createCountryResolver({ byPrefix: { 'kol-': 'IN', 'dhk-': 'BD' } });

describe('generateClinicBook', () => {
  it('produces only events that the catalog accepts', () => {
    const events = [...generateClinicBook({ events: 3000, seed: 11 })];
    const failures = events
      .map((event) => validateEvent(clinicbook, event, { countryOf }))
      .filter((r) => !r.ok)
      .map((r) => (r.ok ? '' : r.error.message));
    expect(failures).toEqual([]);
    expect(events).toHaveLength(3000);
  });

  it('is deterministic for a seed, apart from event ids', () => {
    const strip = (e: { eventId: string }) => ({ ...e, eventId: '' });
    const a = [...generateClinicBook({ events: 200, seed: 5, startMillis: 0 })].map(strip);
    const b = [...generateClinicBook({ events: 200, seed: 5, startMillis: 0 })].map(strip);
    expect(a).toEqual(b);
  });

  it('makes patient popularity skewed (Zipf): the top patient is far above the median', () => {
    const counts = new Map<string, number>();
    for (const event of generateClinicBook({ events: 20_000, seed: 3 })) {
      counts.set(event.patientId, (counts.get(event.patientId) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((x, y) => y - x);
    expect(sorted[0]).toBeGreaterThan(20 * (sorted[Math.floor(sorted.length / 2)] ?? 1));
  });

  it('honours the share of new patients', () => {
    const events = [...generateClinicBook({ events: 10_000, seed: 9, mix: { 'patient.registered': 0.3 } })];
    const share = events.filter((e) => e.type === 'patient.registered').length / events.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.4);
  });
});
