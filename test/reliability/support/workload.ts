import fc from 'fast-check';
import { core, testing } from './deps.ts';

/** 2026-03-01T10:00:00Z: event times of the workloads start here. */
export const BASE_MILLIS = Date.UTC(2026, 2, 1, 10, 0, 0);

/** One person's identifiers, distinct per index so that one person is one vault subject. */
export interface Person {
  patientId: string;
  phone: string;
  email: string;
  nationalId: string;
}

/** Deterministic, distinct people: patient number, BD mobile, email and an Aadhaar with its check digit. */
export function person(index: number): Person {
  const n = String(index).padStart(8, '0');
  const aadhaarBody = `4${String(index).padStart(10, '0')}`;
  return {
    patientId: `P-${n}`,
    phone: `017${n}`,
    email: `patient.${n}@example.org`,
    nationalId: `${aadhaarBody}${core.verhoeffCheckDigit(aadhaarBody)}`,
  };
}

/** A deterministic version 4 UUID, unique per (run, index). */
export function eventIdOf(run: number, index: number): string {
  const r = (run >>> 0).toString(16).padStart(8, '0');
  const i = index.toString(16).padStart(12, '0');
  return `${r}-0000-4000-8000-${i}`;
}

/** Options of {@link validEvents}. */
export interface ValidEventsOptions {
  seed: number;
  /** Distinct patients the events are spread over. Default: count / 4. */
  patients?: number;
  /** Event times fall in [BASE_MILLIS, BASE_MILLIS + spreadMillis). Default: 10 minutes. */
  spreadMillis?: number;
}

/**
 * `count` valid ClinicBook events (the `clinicbookEvent` arbitrary, sampled with a seed): unique
 * event ids, patients from a pool (so tokens repeat and distinct counts mean something), each
 * patient's contact identifiers fixed, event times spread over a few windows.
 */
export function validEvents(count: number, options: ValidEventsOptions): Array<Record<string, unknown>> {
  const patients = Math.max(1, options.patients ?? Math.ceil(count / 4));
  const spread = options.spreadMillis ?? 10 * 60_000;
  const sampled = fc.sample(testing.clinicbookEvent, { numRuns: count, seed: options.seed }) as Array<
    Record<string, unknown>
  >;
  return sampled.map((event, i) => {
    const who = person((i * 7919) % patients);
    const contacts =
      event.type === 'patient.registered'
        ? {
            phone: who.phone,
            ...(event.email ? { email: who.email } : {}),
            ...(event.nationalId ? { nationalId: who.nationalId } : {}),
          }
        : {};
    return {
      ...event,
      ...contacts,
      eventId: eventIdOf(options.seed, i),
      patientId: who.patientId,
      occurredAt: new Date(BASE_MILLIS + ((i * 7_919_993) % spread)).toISOString(),
    };
  });
}

/** A payload the ingest must quarantine, and why. */
export interface InvalidPayload {
  data: Buffer;
  reason: 'not_base64_json' | 'not_an_object' | 'unknown_type' | 'invalid';
  kind: string;
}

/**
 * `count` distinct malformed payloads of every kind (each carries a unique marker, so it can be
 * told apart after its round trip through the encrypted quarantine): wrong types, unknown
 * types, non-objects, truncated JSON, invalid UTF-8, missing fields, over-long labels, numbers
 * past their range.
 */
export function invalidPayloads(count: number, run: number): InvalidPayload[] {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  return Array.from({ length: count }, (_, i): InvalidPayload => {
    const marker = eventIdOf(run ^ 0x5bad, i);
    const base = {
      eventId: marker,
      type: 'appointment.booked',
      schemaVersion: 1,
      occurredAt: new Date(BASE_MILLIS + i * 1000).toISOString(),
      tenantId: 'dhk-mirpur-01',
      patientId: `P-9${String(i).padStart(7, '0')}`,
      doctorId: 'D-00000042',
      appointmentId: `A-${String(i).padStart(8, '0')}`,
      department: 'cardiology',
      slotStart: '2026-03-04T09:30:00+06:00',
      channel: 'app',
      waitDays: 3,
    };
    switch (i % 8) {
      case 0:
        return { kind: 'wrong type', reason: 'invalid', data: json({ ...base, waitDays: 'soon' }) };
      case 1:
        return {
          kind: 'unknown type',
          reason: 'unknown_type',
          data: json({ ...base, type: 'patient.teleported' }),
        };
      case 2:
        return { kind: 'not an object', reason: 'not_an_object', data: json([marker, 1, null]) };
      case 3: {
        const text = JSON.stringify(base);
        return {
          kind: 'truncated',
          reason: 'not_base64_json',
          data: Buffer.from(text.slice(0, text.length - 7)),
        };
      }
      case 4:
        return {
          kind: 'invalid utf-8',
          reason: 'not_base64_json',
          data: Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(marker)]),
        };
      case 5: {
        const { patientId: _omitted, ...rest } = base;
        return { kind: 'missing field', reason: 'invalid', data: json(rest) };
      }
      case 6:
        return {
          kind: 'label too long',
          reason: 'invalid',
          data: json({ ...base, department: 'x'.repeat(65) }),
        };
      default:
        return { kind: 'number out of range', reason: 'invalid', data: json({ ...base, waitDays: 3651 }) };
    }
  });
}

/** Valid and invalid payloads interleaved deterministically, each with a partition key as an app would choose. */
export function interleave(
  valid: ReadonlyArray<Record<string, unknown>>,
  invalid: readonly InvalidPayload[],
): Array<{ data: Buffer; partitionKey: string }> {
  const out: Array<{ data: Buffer; partitionKey: string }> = valid.map((event) => ({
    data: Buffer.from(JSON.stringify(event)),
    partitionKey: String(event.patientId),
  }));
  const step = Math.max(1, Math.floor(out.length / (invalid.length + 1)));
  invalid.forEach((payload, i) => {
    out.splice(Math.min(out.length, (i + 1) * step + i), 0, {
      data: payload.data,
      partitionKey: `bad-${i}`,
    });
  });
  return out;
}

/**
 * Events of one dense aggregate cell (appointment.booked, one tenant, department and channel, in
 * the first window): `patients` distinct patients with two events each. Around k, to see the
 * threshold release one cell and suppress the other.
 */
export function denseCell(run: number, patients: number, department: string): Array<Record<string, unknown>> {
  return Array.from({ length: patients * 2 }, (_, i) => ({
    eventId: eventIdOf(run, i),
    type: 'appointment.booked',
    schemaVersion: 1,
    occurredAt: new Date(BASE_MILLIS + 1_000 + i * 100).toISOString(),
    tenantId: 'dhk-uttara-02',
    patientId: `P-7${String(run % 100).padStart(2, '0')}${String(i % patients).padStart(5, '0')}`,
    doctorId: 'D-00000007',
    appointmentId: `A-7${String(i).padStart(7, '0')}`,
    department,
    slotStart: '2026-03-05T09:00:00+06:00',
    channel: 'web',
    waitDays: i % 17,
  }));
}
