import type { Generalizer } from './classes.ts';

/** Context a generalizer may need: the event's own time (ages are computed at the event, not now). */
export interface GeneralizeContext {
  occurredAtMillis: number;
}

/** The generalized value, or a reason (never containing the input) why the input cannot be generalized. */
export type Generalized = { ok: true; value: string } | { ok: false; reason: string };

const MILLIS_PER_HOUR = 3_600_000;

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the times an ISO text of four-digit years names. */
const FIRST_ISO_MILLIS = -62_167_219_200_000;
const LAST_ISO_MILLIS = 253_402_300_799_999;

/**
 * Whether a time has an hour and a day of four-digit years. Beyond them `toISOString` writes a
 * signed six-digit year (`+010000-01-01T…`), which the hour slice would mangle: an offset of
 * `-23:59` on 9999-12-31 is enough to get there. False for NaN.
 */
export function hasFourDigitYear(millis: number): boolean {
  return millis >= FIRST_ISO_MILLIS && millis <= LAST_ISO_MILLIS;
}

/**
 * An ISO 8601 date (`2026-11-27`, read as UTC midnight) or date-time with `Z` or an offset
 * (`2026-11-27T13:45:10+06:00`, `2026-11-27 13:45Z`): what `hour` and `day` generalize. Anything else
 * `Date.parse` would read is refused: free text ('Rahim 12' is 2001-12-01 to it) and a time without
 * an offset, which it reads in the machine's own time zone.
 */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?))?$/;

/** Epoch millis of an ISO date or date-time with an offset (see ISO_TIME); NaN for anything else. */
export function isoTimeMillis(text: string): number {
  return ISO_TIME.test(text) ? Date.parse(text.replace(',', '.')) : Number.NaN;
}

/**
 * Generalizes one quasi-identifier value. Pure; the exact input never appears in the output.
 *
 * @example generalize({ kind: 'hour' }, '2026-11-27T13:45:10+06:00', ctx) // { ok: true, value: '2026-11-27T07:00Z' }
 */
export function generalize(g: Generalizer, value: unknown, ctx: GeneralizeContext): Generalized {
  switch (g.kind) {
    case 'hour':
    case 'day': {
      const millis = typeof value === 'string' ? isoTimeMillis(value) : Number.NaN;
      if (!Number.isFinite(millis))
        return { ok: false, reason: 'not an ISO date or date-time with an offset' };
      if (!hasFourDigitYear(millis)) return { ok: false, reason: 'not in the years 0000 to 9999 (UTC)' };
      return { ok: true, value: timeGeneralized(g.kind, millis) };
    }
    case 'ageBand':
      return ageBand(value, ctx.occurredAtMillis, g.widthYears, g.topYears);
    case 'bucket':
      return bucket(value, g.bounds);
  }
}

/**
 * The hour (`2026-11-27T07:00Z`) or day (`2026-11-27`, UTC) of a finite time. Events of a batch
 * fall in a few hours, so the texts are kept by hour: `toISOString` costs about 1 µs.
 */
export function timeGeneralized(kind: 'hour' | 'day', millis: number): string {
  const hour = Math.floor(millis / MILLIS_PER_HOUR) * MILLIS_PER_HOUR;
  let texts = textsByHour.get(hour);
  if (texts === undefined) {
    const iso = new Date(hour).toISOString();
    texts = { hour: `${iso.slice(0, 13)}:00Z`, day: iso.slice(0, 10) };
    if (textsByHour.size >= 4_096) textsByHour.clear();
    textsByHour.set(hour, texts);
  }
  return texts[kind];
}

const textsByHour = new Map<number, { hour: string; day: string }>();

function ageBand(value: unknown, atMillis: number, width: number, top: number): Generalized {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return { ok: false, reason: 'not an ISO date' };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(atMillis);
  let age = at.getUTCFullYear() - year;
  const beforeBirthday =
    at.getUTCMonth() + 1 < month || (at.getUTCMonth() + 1 === month && at.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  if (age < 0) return { ok: false, reason: 'date of birth is after the event' };
  if (age > 130) return { ok: false, reason: 'date of birth is implausibly early' };
  if (age >= top) return { ok: true, value: `${top}+` };
  const low = Math.floor(age / width) * width;
  return { ok: true, value: `${low}-${low + width - 1}` };
}

function bucket(value: unknown, bounds: readonly number[]): Generalized {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return { ok: false, reason: 'not a finite number' };
  const first = bounds[0];
  if (first === undefined) return { ok: false, reason: 'no bucket bounds' };
  if (value < first) return { ok: true, value: `<${first}` };
  for (let i = 1; i < bounds.length; i++) {
    const upper = bounds[i] as number;
    if (value < upper) return { ok: true, value: `${bounds[i - 1]}-${upper}` };
  }
  return { ok: true, value: `${bounds[bounds.length - 1]}+` };
}
