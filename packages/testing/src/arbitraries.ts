import { verhoeffCheckDigit } from '@residency/core';
import fc from 'fast-check';

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

/** A Bangladeshi mobile number in one of the formats people type. */
export const bdPhone = fc
  .tuple(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), digits(8), fc.integer({ min: 0, max: 3 }))
  .map(([op, rest, style]) => {
    const national = `01${op}${rest}`;
    return [
      national,
      `+880 1${op}${rest.slice(0, 2)}-${rest.slice(2)}`,
      `880${national.slice(1)}`,
      `+880${national.slice(1)}`,
    ][style] as string;
  });

/** An Indian mobile number, with or without +91. */
export const inPhone = fc
  .tuple(fc.constantFrom('98', '97', '99', '94', '70', '81', '90'), digits(8), fc.boolean())
  .map(([start, rest, intl]) =>
    intl ? `+91 ${start}${rest.slice(0, 3)} ${rest.slice(3)}` : `0${start}${rest}`,
  );

/** An Aadhaar number with a valid Verhoeff check digit. */
export const aadhaar = fc
  .tuple(fc.constantFrom('2', '3', '4', '5', '6', '7', '8', '9'), digits(10))
  .map(([first, rest]) => `${first}${rest}${verhoeffCheckDigit(`${first}${rest}`)}`);

/** A Bangladesh NID of 10, 13 or 17 digits. */
export const bdNid = fc.oneof(
  digits(10).map((d) => `${(Number(d[0]) % 9) + 1}${d.slice(1)}`),
  digits(13).map((d) => `${(Number(d[0]) % 9) + 1}${d.slice(1)}`),
  fc.tuple(fc.integer({ min: 1940, max: 2020 }), digits(13)).map(([y, d]) => `${y}${d}`),
);

/** An email address a person might have. */
export const email = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9]{2,10}(\.[a-z]{2,8})?$/),
    fc.constantFrom('gmail.com', 'yahoo.com', 'clinic.com.bd', 'outlook.in', 'example.org'),
  )
  .map(([local, domain]) => `${local}@${domain}`);

/** An application id (patient number, doctor id). Long enough not to collide with other values by chance. */
export const appId = (prefix: string) => digits(8).map((d) => `${prefix}-${d}`);

/** Free text that could be a name, address or note. */
export const freeText = fc.stringMatching(/^[A-Z][a-z]{3,9} [A-Z][a-z]{3,12}( [a-z]{3,10}){0,6}$/);

/** An ISO-8601 date-time with an offset, in 2025-2027. */
export const isoDateTime = fc
  .tuple(
    fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }),
    fc.constantFrom('+06:00', '+05:30', 'Z'),
  )
  .map(([millis, offset]) => {
    const shift = offset === '+06:00' ? 360 : offset === '+05:30' ? 330 : 0;
    const local = new Date(millis + shift * 60_000).toISOString().slice(0, 19);
    return `${local}${offset}`;
  });

/** A date of birth in 1930-2020. */
export const dateOfBirth = fc
  .integer({ min: Date.UTC(1930, 0, 1), max: Date.UTC(2020, 11, 31) })
  .map((m) => new Date(m).toISOString().slice(0, 10));

const envelope = fc.record({
  eventId: fc.uuid({ version: 4 }),
  occurredAt: isoDateTime,
  tenantId: fc.constantFrom('dhk-mirpur-01', 'dhk-uttara-02', 'kol-salt-lake-01'),
  schemaVersion: fc.constant(1),
});

/** Any valid ClinicBook event (plain object as an app would send it). */
export const clinicbookEvent = fc.oneof(
  fc
    .record({
      e: envelope,
      patientId: appId('P'),
      phone: bdPhone,
      email: fc.option(email, { nil: undefined }),
      nationalId: fc.option(fc.oneof(aadhaar, bdNid), { nil: undefined }),
      name: freeText,
      address: freeText,
      dateOfBirth,
      gender: fc.constantFrom('female', 'male', 'other', 'undisclosed'),
      district: fc.constantFrom('Dhaka', 'Gazipur', 'Kolkata', 'Howrah'),
    })
    .map(({ e, ...f }) => ({ ...e, type: 'patient.registered', ...withoutUndefined(f) })),
  fc
    .record({
      e: envelope,
      patientId: appId('P'),
      doctorId: appId('D'),
      appointmentId: appId('A'),
      department: fc.constantFrom('cardiology', 'paediatrics', 'general', 'dermatology'),
      slotStart: isoDateTime,
      channel: fc.constantFrom('web', 'app', 'phone', 'walk_in'),
      waitDays: fc.integer({ min: 0, max: 120 }),
    })
    .map(({ e, ...f }) => ({ ...e, type: 'appointment.booked', ...f })),
  fc
    .record({
      e: envelope,
      patientId: appId('P'),
      appointmentId: appId('A'),
      reason: fc.option(freeText, { nil: undefined }),
      cancelledBy: fc.constantFrom('patient', 'clinic', 'system'),
    })
    .map(({ e, ...f }) => ({ ...e, type: 'appointment.cancelled', ...withoutUndefined(f) })),
  fc
    .record({ e: envelope, patientId: appId('P'), doctorId: appId('D'), note: freeText })
    .map(({ e, ...f }) => ({ ...e, type: 'note.added', ...f })),
  fc
    .record({
      e: envelope,
      patientId: appId('P'),
      amount: fc.integer({ min: 0, max: 200_000 }),
      currency: fc.constantFrom('BDT', 'INR', 'USD'),
      method: fc.constantFrom('cash', 'card', 'mobile_money', 'insurance'),
      cardLast4: fc.option(digits(4), { nil: undefined }),
    })
    .map(({ e, ...f }) => ({ ...e, type: 'payment.completed', ...withoutUndefined(f) })),
);

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
