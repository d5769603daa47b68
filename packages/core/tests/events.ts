/** A valid ClinicBook `appointment.booked` event, as an app sends it. */
export const booked = {
  eventId: '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
  type: 'appointment.booked',
  schemaVersion: 1,
  occurredAt: '2026-11-27T10:15:00+06:00',
  tenantId: 'dhk-mirpur-01',
  patientId: 'P-00012345',
  doctorId: 'D-00000042',
  appointmentId: 'A-00098765',
  department: 'cardiology',
  slotStart: '2026-11-30T09:30:00+06:00',
  channel: 'app',
  waitDays: 3,
};

/**
 * A valid ClinicBook `patient.registered` event (the booked event's envelope and patient), in
 * `district`: the public free-text label these tests put values into.
 */
export const registered = (district: string) => ({
  ...booked,
  type: 'patient.registered',
  phone: '+8801711234567',
  dateOfBirth: '1990-04-02',
  name: 'Rahima Khatun',
  address: 'House 12, Road 5, Mirpur',
  gender: 'female',
  district,
});
