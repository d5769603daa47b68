import { describe, expect, it } from 'vitest';
import { clinicbook, tokenRequestsFor, type ValidatedEvent, validateEvent } from '../src/index.ts';
import { registered } from './events.ts';

const validated = (input: unknown): ValidatedEvent => {
  const result = validateEvent(clinicbook, input);
  if (!result.ok) throw result.error;
  return result.event;
};

const registration = (patientId: string) =>
  validated({ ...registered('Dhaka'), eventId: crypto.randomUUID(), patientId });

describe('the vault requests of a batch', () => {
  it('asks for each identifier once, a contact linked to its subject', () => {
    const requests = tokenRequestsFor([registration('P-00000001'), registration('P-00000001')]);
    expect(requests).toEqual([
      { kind: 'patient', value: 'dhk-mirpur-01/P-00000001' },
      {
        kind: 'phone',
        value: '+8801711234567',
        linkTo: { kind: 'patient', value: 'dhk-mirpur-01/P-00000001' },
      },
    ]);
  });

  it('links a contact that two subjects of one batch share to both (a mother and her child)', () => {
    const requests = tokenRequestsFor([
      registration('P-00000001'),
      registration('P-00000002'),
      registration('P-00000002'),
    ]);
    expect(requests).toEqual([
      { kind: 'patient', value: 'dhk-mirpur-01/P-00000001' },
      {
        kind: 'phone',
        value: '+8801711234567',
        linkTo: { kind: 'patient', value: 'dhk-mirpur-01/P-00000001' },
      },
      { kind: 'patient', value: 'dhk-mirpur-01/P-00000002' },
      {
        kind: 'phone',
        value: '+8801711234567',
        linkTo: { kind: 'patient', value: 'dhk-mirpur-01/P-00000002' },
      },
    ]);
  });
});
