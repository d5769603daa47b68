import { randomUUID } from 'node:crypto';

/** A valid appointment.booked event at 2026-03-01T10:00:30Z (window 10:00). */
export function booked(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    type: 'appointment.booked',
    schemaVersion: 1,
    occurredAt: '2026-03-01T16:00:30+06:00',
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00012345',
    doctorId: 'D-00000042',
    appointmentId: `A-${randomUUID().slice(0, 8)}`,
    department: 'cardiology',
    slotStart: '2026-03-04T09:30:00+06:00',
    channel: 'app',
    waitDays: 3,
    ...overrides,
  };
}

/** A valid patient.registered event with contact identifiers. */
export function registered(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    type: 'patient.registered',
    schemaVersion: 1,
    occurredAt: '2026-03-01T16:00:40+06:00',
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00099999',
    phone: '01712345678',
    email: 'rahima.khatun@example.org',
    name: 'Rahima Khatun',
    address: 'House 12, Road 5, Mirpur',
    dateOfBirth: '1988-07-14',
    gender: 'female',
    district: 'Dhaka',
    ...overrides,
  };
}

/** Now for tests where nothing is late: just after the events' windows. */
export const NOW_ON_TIME = Date.UTC(2026, 2, 1, 10, 1, 0);
