import { randomBytes } from 'node:crypto';
import { clinicbook } from '@residency/core';
import { type EventMix, generateClinicBook } from '../generator/index.ts';
import { KINESIS_PUT_PAYLOAD_UNIT_BYTES } from '../measure/billing-counter.ts';
import { withCanaries } from './canaries.ts';

/** Options of {@link buildWorkload}. */
export interface WorkloadOptions {
  events: number;
  seed: number;
  initialPatients: number;
  zipfExponent: number;
  mix?: Partial<EventMix>;
  /** Share of canary events mixed in. Default: 0. */
  canaryShare?: number;
  /** Event times end here, epoch millis. */
  endMillis: number;
  /** Event times span this long before `endMillis`. Default: 1 ms per event (one shard at 1,000 records/s). */
  spanMillis?: number;
}

/** A generated workload and the figures derived from it. */
export interface Workload {
  events: object[];
  canaries: number;
  /** Mean bytes of a record as the producer puts it (JSON data + partition key). */
  meanRecordBytes: number;
  /** Mean Kinesis PUT payload units per event. */
  inputPutUnitsPerEvent: number;
  /**
   * New vault entries per event in steady state: a new patient and contacts per registration, and
   * a new appointment per booking unless the catalog keys appointments (no entry then).
   */
  steadyNewIdentifiersPerEvent: number;
  /** Share of registrations (new patients). */
  newPatientShare: number;
}

/**
 * Generates the run's ClinicBook workload with the lead's generator (seeded), with event times
 * in the last minute before the pinned clock so the aggregates see them as current, and the
 * figures the report needs from it.
 */
export async function buildWorkload(options: WorkloadOptions): Promise<Workload> {
  const spanMillis = options.spanMillis ?? options.events;
  const generated = [
    ...generateClinicBook({
      events: options.events,
      seed: options.seed,
      initialPatients: options.initialPatients,
      zipfExponent: options.zipfExponent,
      startMillis: options.endMillis - spanMillis,
      spanMillis,
      ...(options.mix ? { mix: options.mix } : {}),
    }),
  ];
  const { events, canaries } = await withCanaries(generated, {
    share: options.canaryShare ?? 0,
    secret: randomBytes(32),
    occurredAtMillis: options.endMillis - 1000,
  });
  const appointmentsKeyed = isKeyed('appointment.booked', 'appointmentId');
  let bytes = 0;
  let units = 0;
  let newIdentifiers = 0;
  let registrations = 0;
  for (const event of events as Array<Record<string, unknown>>) {
    const size = Buffer.byteLength(JSON.stringify(event)) + Buffer.byteLength(String(event.patientId ?? ''));
    bytes += size;
    units += Math.max(1, Math.ceil(size / KINESIS_PUT_PAYLOAD_UNIT_BYTES));
    if (event.type === 'appointment.booked' && !appointmentsKeyed) newIdentifiers += 1;
    if (event.type === 'patient.registered') {
      registrations += 1;
      newIdentifiers += 1 + ['phone', 'email', 'nationalId'].filter((f) => event[f] !== undefined).length;
    }
  }
  const n = Math.max(1, events.length);
  return {
    events,
    canaries,
    meanRecordBytes: Math.round(bytes / n),
    inputPutUnitsPerEvent: units / n,
    steadyNewIdentifiersPerEvent: Math.round((newIdentifiers / n) * 1000) / 1000,
    newPatientShare: Math.round((registrations / n) * 1000) / 1000,
  };
}

/** Whether the catalog makes a field's token keyed (no vault entry). */
function isKeyed(type: string, field: string): boolean {
  const version = clinicbook.latestVersion(type);
  const meta =
    version === undefined
      ? undefined
      : clinicbook.get(type, version)?.fields.find((f) => f.name === field)?.meta;
  return meta?.class === 'identifier' && meta.token === 'keyed';
}
