import { randomUUID } from 'node:crypto';
import type { ClinicBookEvent } from '@residency/core';
import { createPerson, type SyntheticPerson } from './people.ts';
import { createRandom } from './random.ts';
import { createZipf } from './zipf.ts';

/** Relative weights of ClinicBook event types in a workload. */
export type EventMix = Record<ClinicBookEvent['type'], number>;

/** Options of {@link generateClinicBook}. */
export interface ClinicBookWorkloadOptions {
  /** Number of events. */
  events: number;
  /** Seed; the same seed and options give the same events (except `eventId`s when `randomIds`). Default: 1. */
  seed?: number;
  /** Patients known before the first event (their registrations are not emitted). Default: 2000. */
  initialPatients?: number;
  /** Zipf exponent of patient popularity. Default: 1.1. */
  zipfExponent?: number;
  /** Event type weights; `patient.registered` controls the share of new patients. Default: {@link DEFAULT_MIX}. */
  mix?: Partial<EventMix>;
  /** Tenants (clinics): ids starting `dhk-` are in Bangladesh, `kol-` in India. Default: 3 Dhaka + 2 Kolkata clinics. */
  tenants?: readonly string[];
  /** Event time of the first event, epoch millis. Default: two hours before now. */
  startMillis?: number;
  /** Event times spread over this span. Default: 110 minutes (so every window has closed by now). */
  spanMillis?: number;
}

/** The default mix: mostly bookings and notes, a steady trickle of new patients. */
export const DEFAULT_MIX: EventMix = {
  'patient.registered': 0.08,
  'appointment.booked': 0.4,
  'appointment.cancelled': 0.07,
  'note.added': 0.25,
  'payment.completed': 0.2,
};

const DEPARTMENTS = ['general', 'paediatrics', 'cardiology', 'gynaecology', 'dermatology', 'orthopaedics'];

/**
 * Generates a realistic ClinicBook workload: seeded, Bangladeshi and Indian synthetic people,
 * Zipf-distributed patient popularity, a configurable share of new patients and event mix.
 *
 * @example for (const event of generateClinicBook({ events: 1000, seed: 7 })) producer.send(event);
 */
export function* generateClinicBook(options: ClinicBookWorkloadOptions): Generator<ClinicBookEvent> {
  const random = createRandom(options.seed ?? 1);
  const tenants = options.tenants ?? [
    'dhk-mirpur-01',
    'dhk-uttara-02',
    'dhk-dhanmondi-03',
    'kol-saltlake-01',
    'kol-behala-02',
  ];
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const types = Object.keys(mix) as Array<keyof EventMix>;
  const totalWeight = types.reduce((sum, t) => sum + mix[t], 0);
  const startMillis = options.startMillis ?? Date.now() - 2 * 3_600_000;
  const spanMillis = options.spanMillis ?? 110 * 60_000;
  const patients: Array<{ id: string; tenant: string; person: SyntheticPerson }> = [];
  const appointments: Array<{ id: string; patient: number }> = [];
  const newPatient = () => {
    const tenant = random.pick(tenants);
    const person = createPerson(random, tenant.startsWith('kol-') ? 'IN' : 'BD');
    patients.push({ id: `P-${String(patients.length + 1).padStart(7, '0')}`, tenant, person });
    return patients.length - 1;
  };
  for (let i = 0; i < (options.initialPatients ?? 2000); i++) newPatient();
  const zipf = createZipf(Math.max(patients.length * 4, options.events), options.zipfExponent ?? 1.1, random);

  for (let i = 0; i < options.events; i++) {
    const type = pickWeighted(types, mix, random.float() * totalWeight);
    const occurredMillis = startMillis + Math.floor((spanMillis * i) / Math.max(1, options.events));
    const index = type === 'patient.registered' ? newPatient() : zipf() % patients.length;
    const patient = patients[index] as (typeof patients)[number];
    const base = {
      eventId: randomUUID(),
      schemaVersion: 1 as const,
      occurredAt: withOffset(occurredMillis, patient.person.country),
      tenantId: patient.tenant,
      patientId: patient.id,
    };
    const doctorId = `D-${patient.tenant.slice(0, 3).toUpperCase()}-${String(random.int(1, 40)).padStart(3, '0')}`;
    switch (type) {
      case 'patient.registered': {
        const p = patient.person;
        yield {
          ...base,
          type,
          phone: p.phone,
          ...(p.email ? { email: p.email } : {}),
          ...(p.nationalId ? { nationalId: p.nationalId } : {}),
          name: p.name,
          address: p.address,
          dateOfBirth: p.dateOfBirth,
          gender: p.gender,
          district: p.district,
        };
        break;
      }
      case 'appointment.booked': {
        const appointmentId = `A-${String(appointments.length + 1).padStart(8, '0')}`;
        appointments.push({ id: appointmentId, patient: index });
        const waitDays = Math.min(90, Math.floor(-Math.log(1 - random.float()) * 4));
        yield {
          ...base,
          type,
          doctorId,
          appointmentId,
          department: random.pick(DEPARTMENTS),
          slotStart: withOffset(
            occurredMillis + waitDays * 86_400_000 + random.int(9, 18) * 3_600_000,
            patient.person.country,
          ),
          channel: random.pick(['web', 'app', 'phone', 'walk_in'] as const),
          waitDays,
        };
        break;
      }
      case 'appointment.cancelled': {
        const appointment = appointments.length > 0 ? random.pick(appointments) : undefined;
        const owner = appointment ? (patients[appointment.patient] ?? patient) : patient;
        yield {
          ...base,
          tenantId: owner.tenant,
          patientId: owner.id,
          type,
          appointmentId: appointment?.id ?? `A-X${random.digits(7)}`,
          cancelledBy: random.pick(['patient', 'clinic', 'system'] as const),
          ...(random.chance(0.5)
            ? { reason: random.pick(['Feeling better', 'Travel', 'Doctor unavailable', 'Cost']) }
            : {}),
        };
        break;
      }
      case 'note.added':
        yield {
          ...base,
          type,
          doctorId,
          note: `Patient ${patient.person.name} reports ${random.pick(['fever', 'cough', 'back pain', 'headache'])} for ${random.int(1, 14)} days.`,
        };
        break;
      case 'payment.completed': {
        const currency = patient.person.country === 'BD' ? 'BDT' : 'INR';
        const method = random.pick(['cash', 'card', 'mobile_money', 'insurance'] as const);
        yield {
          ...base,
          type,
          amount: random.int(2, 300) * 50,
          currency,
          method,
          ...(method === 'card' ? { cardLast4: random.digits(4) } : {}),
        };
        break;
      }
    }
  }
}

// Apps send local time with the clinic's offset: +06:00 in Dhaka, +05:30 in Kolkata.
function withOffset(millis: number, country: 'BD' | 'IN'): string {
  const offsetMinutes = country === 'BD' ? 360 : 330;
  const local = new Date(millis + offsetMinutes * 60_000).toISOString().slice(0, 19);
  return `${local}${country === 'BD' ? '+06:00' : '+05:30'}`;
}

function pickWeighted(types: ReadonlyArray<keyof EventMix>, mix: EventMix, roll: number): keyof EventMix {
  let remaining = roll;
  for (const type of types) {
    remaining -= mix[type];
    if (remaining < 0) return type;
  }
  return types[types.length - 1] ?? 'note.added';
}
