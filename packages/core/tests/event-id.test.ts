import { describe, expect, it } from 'vitest';
import { clinicbook, validateEvent } from '../src/index.ts';
import { booked } from './events.ts';

// The event id crosses the border as it is (it is the outbound record id). A random UUID says
// nothing; the other versions can say a lot.
describe('eventId', () => {
  it.each([
    ['version 1: a MAC address and the exact time', 'c232ab00-9414-11ec-b3c8-9f68deced846'],
    ['version 3: an MD5 of a name (a phone number, say)', '5df41881-3aed-3515-88a7-2f4a814cf09e'],
    ['version 5: a SHA-1 of a name', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['version 6: a MAC address and the exact time', '1ec9414c-232a-6b00-b3c8-9f68deced846'],
    ['version 7: the exact time in milliseconds', '0192f0e4-5c3a-7b8e-9d1f-123456789012'],
    ['version 8: anything at all', '01712345-6789-8000-8000-919876543210'],
    ['no version (the nil layout)', '00000000-0000-0000-0000-919876543210'],
    ['version 4 digits with another variant', '7d1f3c1e-8a51-4d7e-ca7a-0f1b2c3d4e5f'],
  ])('refuses %s', (_, eventId) => {
    const result = validateEvent(clinicbook, { ...booked, eventId });
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    if (result.ok) return;
    const issue = result.error.issues.find((i) => i.path === 'eventId');
    expect(issue?.message).toMatch(/random \(version 4\) UUID/);
    // Value-free: the issue never quotes the id.
    expect(JSON.stringify(result.error.issues)).not.toContain(eventId);
    expect(result.error.message).not.toContain(eventId);
  });

  it('accepts a random (version 4) UUID, in either case, and keeps it in lower case', () => {
    for (const eventId of [booked.eventId, crypto.randomUUID(), booked.eventId.toUpperCase()]) {
      const result = validateEvent(clinicbook, { ...booked, eventId });
      expect(result.ok, eventId).toBe(true);
      // One event, one record id and one aggregate fingerprint, however the app spelled its id.
      expect(result.ok && result.event.data.eventId).toBe(eventId.toLowerCase());
    }
  });
});
