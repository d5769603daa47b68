import { randomUUID } from 'node:crypto';
import type { ProducerEvent } from '../../src/index.ts';

/**
 * `count` valid ClinicBook events over `patients` patients (round robin), every one with its own
 * eventId. Cheap enough for 100,000 events; a mix of types so record sizes vary.
 */
export function makeEvents(count: number, patients: number, tenantId = 'dhk-mirpur-01'): ProducerEvent[] {
  const events: ProducerEvent[] = [];
  for (let i = 0; i < count; i++) {
    const patientId = `P-${String(i % patients).padStart(7, '0')}`;
    const base = { eventId: randomUUID(), occurredAt: '2026-03-01T10:15:00+06:00', tenantId, patientId };
    switch (i % 4) {
      case 0:
        events.push({
          ...base,
          type: 'appointment.booked',
          doctorId: 'D-MIR-007',
          appointmentId: `A-${i}`,
          department: 'general',
          slotStart: '2026-03-04T11:00:00+06:00',
          channel: 'app',
          waitDays: 3,
        });
        break;
      case 1:
        events.push({ ...base, type: 'note.added', doctorId: 'D-MIR-007', note: `Follow-up visit ${i}.` });
        break;
      case 2:
        events.push({
          ...base,
          type: 'payment.completed',
          amount: 500 + (i % 1000),
          currency: 'BDT',
          method: 'cash',
        });
        break;
      default:
        events.push({
          ...base,
          type: 'appointment.cancelled',
          appointmentId: `A-${i - 3}`,
          cancelledBy: 'patient',
        });
    }
  }
  return events;
}
