import { generalize } from '@residency/core';

/** The waitDays histogram bounds of ClinicBook (copied from the catalog on purpose: an independent reference). */
const WAIT_BOUNDS = [0, 1, 2, 3, 7, 14, 30, 60, 90];
const AMOUNT_BOUNDS = [0, 100, 500, 1000, 2000, 5000, 10_000, 50_000];

/** One cell of the reference: computed from the input events only, subjects by raw patient id. */
export interface ReferenceCell {
  count: number;
  distinctSubjects: number;
  metrics: Record<string, { sum: number; min: number; max: number; counts: number[] }>;
}

/** `<window ISO>|<tenant>|<type>|<sorted dimensions JSON>` */
export function cellKey(
  windowStartMillis: number,
  tenantId: string,
  type: string,
  dims: Record<string, string>,
): string {
  const sorted = Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${new Date(windowStartMillis).toISOString()}|${tenantId}|${type}|${JSON.stringify(sorted)}`;
}

function dimensionsOf(event: Record<string, unknown>, occurredAtMillis: number): Record<string, string> {
  const pick = (...names: string[]) =>
    Object.fromEntries(names.filter((n) => event[n] !== undefined).map((n) => [n, String(event[n])]));
  const ctx = { occurredAtMillis };
  switch (event.type) {
    case 'patient.registered': {
      const band = generalize({ kind: 'ageBand', widthYears: 10, topYears: 90 }, event.dateOfBirth, ctx);
      return { ...pick('gender', 'district'), ...(band.ok ? { ageBand: band.value } : {}) };
    }
    case 'appointment.booked':
      return pick('department', 'channel');
    case 'appointment.cancelled':
      return pick('cancelledBy');
    case 'payment.completed': {
      const bucket = generalize({ kind: 'bucket', bounds: AMOUNT_BOUNDS }, event.amount, ctx);
      return { ...pick('currency', 'method'), ...(bucket.ok ? { amountBucket: bucket.value } : {}) };
    }
    default:
      return {};
  }
}

/** The aggregates of valid events, each counted exactly once, straight from the input. */
export function referenceAggregates(
  events: ReadonlyArray<Record<string, unknown>>,
  windowSeconds = 60,
): Map<string, ReferenceCell> {
  const cells = new Map<string, ReferenceCell & { subjects: Set<string> }>();
  for (const event of events) {
    const occurredAtMillis = Date.parse(String(event.occurredAt));
    const windowStart = Math.floor(occurredAtMillis / (windowSeconds * 1000)) * windowSeconds * 1000;
    const key = cellKey(
      windowStart,
      String(event.tenantId),
      String(event.type),
      dimensionsOf(event, occurredAtMillis),
    );
    const cell = cells.get(key) ?? {
      count: 0,
      distinctSubjects: 0,
      metrics: {},
      subjects: new Set<string>(),
    };
    cell.count += 1;
    cell.subjects.add(String(event.patientId).trim());
    if (event.type === 'appointment.booked' && typeof event.waitDays === 'number') {
      const v = event.waitDays;
      const m = cell.metrics.waitDays ?? {
        sum: 0,
        min: v,
        max: v,
        counts: new Array(WAIT_BOUNDS.length + 1).fill(0),
      };
      m.sum += v;
      m.min = Math.min(m.min, v);
      m.max = Math.max(m.max, v);
      const bucket = WAIT_BOUNDS.findIndex((b) => v <= b);
      m.counts[bucket === -1 ? WAIT_BOUNDS.length : bucket] += 1;
      cell.metrics.waitDays = m;
    }
    cells.set(key, cell);
  }
  return new Map(
    [...cells].map(([key, { subjects, ...cell }]) => [key, { ...cell, distinctSubjects: subjects.size }]),
  );
}
