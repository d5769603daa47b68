import { z } from 'zod';
import { type CatalogEvent, compileCatalog, defineCatalog, defineEvent } from '../model/catalog.ts';
import { identifier, publicField, quasi, sensitive } from '../model/classes.ts';

// Identifier kinds of ClinicBook. patientId is the data subject of every event.
const patientId = identifier(z.string().min(1).max(128), {
  kind: 'patient',
  egress: 'token',
  normalizer: 'opaque',
  subject: true,
});
const doctorId = identifier(z.string().min(1).max(128), {
  kind: 'doctor',
  egress: 'token',
  normalizer: 'opaque',
});
// An appointment is a thing, not a person, and nearly every one is new: a keyed token, with no
// vault entry to write, encrypt or keep (docs/architecture.md, "Keyed tokens").
const appointmentId = identifier(z.string().min(1).max(128), {
  kind: 'appointment',
  egress: 'token',
  normalizer: 'opaque',
  token: 'keyed',
});
const contact = (kind: 'phone' | 'email' | 'nationalId') =>
  identifier(z.string().min(1).max(320), { kind, egress: 'link', normalizer: kind });

/** Public labels are short: long free text in a "public" field is where personal data hides. */
const label = z.string().min(1).max(64);

/** A new patient at a clinic. Contact identifiers never leave; they are linked to the patient in the vault. */
export const patientRegistered = defineEvent({
  type: 'patient.registered',
  schemaVersion: 1,
  fields: {
    patientId,
    phone: contact('phone'),
    email: contact('email').optional(),
    nationalId: contact('nationalId').optional(),
    name: sensitive(z.string().min(1).max(200)),
    address: sensitive(z.string().max(500)),
    dateOfBirth: quasi(z.iso.date(), {
      generalize: { kind: 'ageBand', widthYears: 10, topYears: 90 },
      as: 'ageBand',
      dimension: true,
    }),
    gender: publicField(z.enum(['female', 'male', 'other', 'undisclosed']), { dimension: true }),
    district: publicField(label, { dimension: true }),
  },
});

/** An appointment booked for a patient with a doctor. */
export const appointmentBooked = defineEvent({
  type: 'appointment.booked',
  schemaVersion: 1,
  fields: {
    patientId,
    doctorId,
    appointmentId,
    department: publicField(label, { dimension: true }),
    slotStart: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'slotStartHour' }),
    channel: publicField(z.enum(['web', 'app', 'phone', 'walk_in']), { dimension: true }),
    waitDays: publicField(z.number().int().min(0).max(3650), {
      metric: { histogramBounds: [0, 1, 2, 3, 7, 14, 30, 60, 90] },
    }),
  },
});

/** An appointment cancelled; the reason is free text and never leaves. */
export const appointmentCancelled = defineEvent({
  type: 'appointment.cancelled',
  schemaVersion: 1,
  fields: {
    patientId,
    appointmentId,
    reason: sensitive(z.string().max(2000)).optional(),
    cancelledBy: publicField(z.enum(['patient', 'clinic', 'system']), { dimension: true }),
  },
});

/** A clinical note; its text never leaves. */
export const noteAdded = defineEvent({
  type: 'note.added',
  schemaVersion: 1,
  fields: {
    patientId,
    doctorId,
    note: sensitive(z.string().max(20_000)),
  },
});

/** A payment; the amount leaves as a bucket, the card's last digits not at all. */
export const paymentCompleted = defineEvent({
  type: 'payment.completed',
  schemaVersion: 1,
  fields: {
    patientId,
    amount: quasi(z.number().nonnegative().max(100_000_000), {
      generalize: { kind: 'bucket', bounds: [0, 100, 500, 1000, 2000, 5000, 10_000, 50_000] },
      as: 'amountBucket',
      dimension: true,
    }),
    currency: publicField(z.enum(['BDT', 'INR', 'USD']), { dimension: true }),
    method: publicField(z.enum(['cash', 'card', 'mobile_money', 'insurance']), { dimension: true }),
    cardLast4: sensitive(z.string().regex(/^\d{4}$/, 'four digits')).optional(),
  },
});

/**
 * ClinicBook: the micro app neighbourhood clinics in Dhaka and Kolkata use to register patients
 * and book appointments. The example catalog and the demo; its field names are a contract.
 */
export const clinicbookDefinition = defineCatalog({
  name: 'clinicbook',
  events: [patientRegistered, appointmentBooked, appointmentCancelled, noteAdded, paymentCompleted],
});

/** Any ClinicBook event, as an app sends it (typed; `send()` of the producer takes these). */
export type ClinicBookEvent = CatalogEvent<typeof clinicbookDefinition>;

/** ClinicBook, compiled (validated at import: an unclassified field fails here, at startup). */
export const clinicbook = compileCatalog(clinicbookDefinition);
