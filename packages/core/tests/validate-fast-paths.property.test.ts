import { clinicbookEvent, isoDateTime } from '@residency/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  clinicbook,
  compileCatalog,
  defineCatalog,
  defineEvent,
  type Generalizer,
  generalize,
  normalizeIdentifier,
  quasi,
  validateEvent,
} from '../src/index.ts';

const countryOf = (tenantId: string) => (tenantId.startsWith('kol-') ? 'IN' : 'BD') as 'IN' | 'BD';

// Turns a valid event into a plausible bad one: a field dropped, emptied or replaced.
const corrupted = fc
  .tuple(
    clinicbookEvent,
    fc.nat(),
    fc.constantFrom<unknown>(
      undefined,
      '',
      'call me',
      '12345',
      '2026-02-30',
      -1,
      null,
      '\u200B',
      'x'.repeat(400),
    ),
  )
  .map(([event, pick, value]) => {
    const keys = Object.keys(event);
    const key = keys[pick % keys.length] as string;
    return { ...event, [key]: value };
  });

describe('validateEvent with the cached normalizer (property)', () => {
  it('gives the same result as running every normalizer each time, for valid and bad events alike', () => {
    fc.assert(
      fc.property(fc.oneof(clinicbookEvent, corrupted), (event) => {
        const uncached = validateEvent(clinicbook, event, { countryOf, normalizer: normalizeIdentifier });
        // Twice: a miss, then (for contact identifiers) a hit.
        expect(validateEvent(clinicbook, event, { countryOf })).toEqual(uncached);
        expect(validateEvent(clinicbook, event, { countryOf })).toEqual(uncached);
      }),
      { numRuns: 600 },
    );
  });
});

const GENERALIZERS = {
  hour: { kind: 'hour' },
  day: { kind: 'day' },
  ageBand: { kind: 'ageBand', widthYears: 10, topYears: 90 },
  bucket: { kind: 'bucket', bounds: [0, 100, 500] },
} satisfies Record<string, Generalizer>;

// A catalog whose quasi fields take any value, so that what reaches the generalizers
// is not pre-filtered by zod's date formats.
const probe = compileCatalog(
  defineCatalog({
    name: 'probe',
    events: [
      defineEvent({
        type: 'probe',
        schemaVersion: 1,
        fields: Object.fromEntries(
          Object.entries(GENERALIZERS).map(([name, g]) => [
            name,
            quasi(z.unknown(), { generalize: g, as: `${name}Out` }).optional(),
          ]),
        ),
      }),
    ],
  }),
);

const anyTime = fc.oneof(
  isoDateTime,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.string({ maxLength: 30 }),
  fc.double(),
  fc.constantFrom(
    '2026-02-30',
    '2026-11-27T24:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '+275760-09-13T00:00:00.001Z',
    'Tue Nov 27 2026',
    '1990-05-17',
    '',
  ),
);

describe('validateEvent checks quasi fields exactly as generalize would (property)', () => {
  it('accepts a value if and only if generalize does, with the reason generalize gives', () => {
    fc.assert(
      fc.property(
        isoDateTime,
        fc.constantFrom(...(Object.keys(GENERALIZERS) as Array<keyof typeof GENERALIZERS>)),
        anyTime,
        fc.boolean(),
        (occurredAt, field, value, sameAsOccurredAt) => {
          const v = sameAsOccurredAt ? occurredAt : value;
          const result = validateEvent(probe, {
            eventId: '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
            type: 'probe',
            schemaVersion: 1,
            occurredAt,
            tenantId: 'dhk-mirpur-01',
            [field]: v,
          });
          const expected = generalize(GENERALIZERS[field], v, { occurredAtMillis: Date.parse(occurredAt) });
          expect(result.ok).toBe(expected.ok);
          if (!result.ok && !expected.ok) {
            expect(result.error.issues).toEqual([
              { path: field, code: 'not_generalizable', message: expected.reason },
            ]);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
