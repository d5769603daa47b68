import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellIdOf } from '../../src/aggregates/group.ts';
import { generalize, timeGeneralized } from '../../src/model/generalize.ts';
import { formatToken } from '../../src/model/tokens.ts';
import { scanValue } from '../../src/pii/index.ts';
import { aadhaarArb, cardArb, type Planted, phoneArb } from './arbitraries.ts';

// How an app author hides an identifier in a free-text label (`department`, `district`, 64
// characters): the digits regrouped at random, joined by any characters that are not letters, and
// maybe glued to words on either side. A lone '.' or ',' is left out of the separators on purpose:
// "2345.67890124" is a decimal number, a documented limit.
const SEPARATORS = [
  ' ',
  '  ',
  '-',
  ' - ',
  '/',
  ' / ',
  '_',
  '|',
  ':',
  '#',
  '*',
  '\n',
  '\t',
  '\u00B7',
  '..',
  ', ',
  '; ',
];

const digitsOf = (text: string) => text.replace(/\D/g, '');

/** The digits of `text` cut into random groups joined by random separators. */
const regrouped = (digits: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: digits.length, maxLength: digits.length }),
      fc.array(fc.constantFrom(...SEPARATORS), { minLength: digits.length, maxLength: digits.length }),
    )
    .map(([sizes, separators]) => {
      const parts: string[] = [];
      for (let at = 0, i = 0; at < digits.length; i++) {
        parts.push(digits.slice(at, at + sizes[i]!));
        at += sizes[i]!;
      }
      return parts.map((part, i) => (i === 0 ? part : separators[i]! + part)).join('');
    });

const gluedWord = fc.stringMatching(/^[A-Za-z]{0,6}$/);

/** A planted number written in a label: regrouped, glued to words or not, with a leading '+' kept. */
const hiddenInLabel = (planted: Planted): fc.Arbitrary<string> => {
  const plus = planted.text.trimStart().startsWith('+') ? '+' : '';
  return fc
    .tuple(gluedWord, regrouped(digitsOf(planted.text)), gluedWord)
    .map(([before, number, after]) => `${before}${plus ? ` ${plus}` : ''}${number}${after}`);
};

// 17-digit BD NIDs: a birth year, then a district and RMO code, then the rest.
const bdNidArb: fc.Arbitrary<Planted> = fc
  .tuple(
    fc.integer({ min: 1930, max: 2015 }),
    fc.constantFrom('26', '47', '55', '19', '93'),
    fc.constantFrom('1', '2', '9'),
    fc.stringMatching(/^\d{10}$/),
  )
  .map(([year, district, rmo, rest]) => ({
    rule: 'bd-nid' as const,
    text: `${year}${district}${rmo}${rest}`,
  }));

describe('scanner on free-text labels (property)', () => {
  it('finds a phone, Aadhaar, BD NID or card however its digits are grouped, joined or glued to words', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(phoneArb, aadhaarArb, cardArb, bdNidArb)
          .chain((planted) => fc.tuple(fc.constant(planted), hiddenInLabel(planted))),
        ([planted, label]) => {
          // Act
          const rules = scanValue(label).map((f) => f.rule);
          // Assess
          expect(rules).toContain(planted.rule);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// What the pipeline writes on purpose, made by the pipeline's own functions.
const tokenArb = fc
  .tuple(
    fc.constantFrom('patient', 'doctor', 'appointment', 'phone', 'email', 'nationalId'),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
  )
  .map(([kind, bytes]) => formatToken(kind, bytes));
const timeArb = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) });
const hourOrDayArb = fc
  .tuple(fc.constantFrom('hour' as const, 'day' as const), timeArb)
  .map(([kind, millis]) => timeGeneralized(kind, millis));
const isoArb = timeArb.map((millis) => new Date(millis).toISOString());
const ageBandArb = fc.tuple(timeArb, fc.integer({ min: 0, max: 130 * 365 })).map(([occurred, ageDays]) => {
  const birth = new Date(occurred - ageDays * 86_400_000).toISOString().slice(0, 10);
  const band = generalize({ kind: 'ageBand', widthYears: 10, topYears: 90 }, birth, {
    occurredAtMillis: occurred,
  });
  return band.ok ? band.value : '30-39';
});
// Bucket bounds are round numbers (one or two significant digits), as a person configures them.
const roundArb = fc
  .tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 8 }))
  .map(([mantissa, zeros]) => mantissa * 10 ** zeros);
const bucketArb = fc
  .tuple(fc.uniqueArray(roundArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 2_000_000_000 }))
  .map(([bounds, amount]) => {
    const bucket = generalize({ kind: 'bucket', bounds: [...bounds].sort((a, b) => a - b) }, amount, {
      occurredAtMillis: 0,
    });
    return bucket.ok ? bucket.value : '0-100';
  });
const cellIdArb = fc
  .tuple(timeArb, fc.constantFrom('dhk-mirpur-01', 'kol-behala-02'), fc.string({ maxLength: 12 }))
  .map(([millis, tenantId, department]) =>
    cellIdOf(
      { startMillis: millis - (millis % 60_000), seconds: 60 },
      { catalog: 'clinicbook', type: 'appointment.booked', tenantId, dimensions: { department } },
    ),
  );
// Versions as released: "1.12.3", "v2.0.117", and builds with a single-digit part ("10.0.19045.2965",
// "131.0.6778.86"). (A dotted version of 10 digits or more, none of its parts after the first a
// single digit, reads as a dotted number, "2345.6789.0124": a documented limit.)
const versionArb = fc.oneof(
  fc
    .tuple(fc.nat(30), fc.nat(99), fc.nat(999), fc.boolean())
    .map(([major, minor, patch, v]) => `${v ? 'v' : ''}${major}.${minor}.${patch}`),
  fc
    .tuple(fc.nat(200), fc.nat(9), fc.integer({ min: 256, max: 99999 }), fc.nat(99999))
    .map((parts) => parts.join('.')),
);

const pipelineValueArb = fc.oneof(
  tokenArb,
  fc.uuid(),
  isoArb,
  hourOrDayArb,
  ageBandArb,
  bucketArb,
  cellIdArb,
  versionArb,
);

describe('scanner on what the pipeline writes (property)', () => {
  it('never blocks vault tokens, UUIDs, timestamps, hours and days, age bands, buckets, cell ids or versions', () => {
    fc.assert(
      fc.property(fc.array(pipelineValueArb, { minLength: 1, maxLength: 4 }), (values) => {
        // Act / Assess: each alone, and in one text. (Numbers side by side, "1000-5000 30-39", are
        // read as one number: a documented limit, not asserted here.)
        for (const value of values) expect(scanValue(value)).toEqual([]);
        expect(scanValue(values.join(' and '))).toEqual([]);
      }),
      { numRuns: 5000 },
    );
  });
});
