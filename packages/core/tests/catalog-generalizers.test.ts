import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
  compileCatalog,
  defineCatalog,
  defineEvent,
  type Generalizer,
  publicField,
  quasi,
} from '../src/index.ts';
import { generalize } from '../src/model/generalize.ts';

type Fields = Record<string, z.ZodType>;

const compile = (fields: Fields) =>
  compileCatalog(
    defineCatalog({ name: 'clinic', events: [defineEvent({ type: 'e', schemaVersion: 1, fields })] }),
  );

const dob = (g: Generalizer) => ({ dateOfBirth: quasi(z.iso.date(), { generalize: g, as: 'ageBand' }) });
const amount = (g: Generalizer, schema: z.ZodType = z.number()) => ({
  amount: quasi(schema, { generalize: g, as: 'amountBand' }),
});

describe('a catalog refuses generalizers that do not generalize', () => {
  it('compiles sound ones', () => {
    expect(() => compile(dob({ kind: 'ageBand', widthYears: 10, topYears: 90 }))).not.toThrow();
    expect(() => compile(amount({ kind: 'bucket', bounds: [0, 100, 500] }))).not.toThrow();
    expect(() =>
      compile({
        seenAt: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'seenHour' }),
      }),
    ).not.toThrow();
  });

  it.each<[string, Fields, RegExp]>([
    [
      'a one-year age band (an exact age)',
      dob({ kind: 'ageBand', widthYears: 1, topYears: 200 }),
      /at least 2/,
    ],
    ['an age band of width 0', dob({ kind: 'ageBand', widthYears: 0, topYears: 90 }), /at least 2/],
    [
      'an age band of width NaN',
      dob({ kind: 'ageBand', widthYears: Number.NaN, topYears: 90 }),
      /at least 2/,
    ],
    ['a negative age band', dob({ kind: 'ageBand', widthYears: -10, topYears: 90 }), /at least 2/],
    ['a top band over 130', dob({ kind: 'ageBand', widthYears: 10, topYears: 200 }), /top age band/],
    ['a top band below the width', dob({ kind: 'ageBand', widthYears: 10, topYears: 5 }), /top age band/],
    ['unsorted bucket bounds', amount({ kind: 'bucket', bounds: [1000, 10, 500] }), /strictly increasing/],
    ['repeated bucket bounds', amount({ kind: 'bucket', bounds: [10, 10] }), /strictly increasing/],
    ['a NaN bucket bound', amount({ kind: 'bucket', bounds: [Number.NaN, 10] }), /finite/],
    ['no bucket bounds', amount({ kind: 'bucket', bounds: [] }), /1 to 64/],
    [
      'a hundred thousand buckets (exact values)',
      amount({ kind: 'bucket', bounds: Array.from({ length: 100_000 }, (_, i) => i) }),
      /1 to 64/,
    ],
    ['a bucket of a string', amount({ kind: 'bucket', bounds: [0, 10] }, z.string()), /number schema/],
    [
      'an hour of a number',
      { seenAt: quasi(z.number(), { generalize: { kind: 'hour' }, as: 'seenHour' }) },
      /ISO date/,
    ],
    [
      'a quasi that overwrites the event hour',
      {
        seenAt: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'occurredHour' }),
      },
      /only occurredAt/,
    ],
    [
      'a quasi named as a public field',
      {
        ch: publicField(z.enum(['a', 'b'])),
        seenAt: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'ch' }),
      },
      /both leave as 'ch'/,
    ],
  ])('refuses %s', (_, fields, message) => {
    expect(() => compile(fields)).toThrow(CatalogError);
    expect(() => compile(fields)).toThrow(message);
  });
});

describe('hour and day read ISO times only', () => {
  it.each(['2026-11-27', '2026-11-27T13:45:10+06:00', '2026-11-27T13:45Z', '2026-11-27 13:45:10.123Z'])(
    'reads %s',
    (value) => {
      expect(generalize({ kind: 'day' }, value, { occurredAtMillis: 0 }).ok).toBe(true);
    },
  );

  it.each([
    ['free text Date.parse reads as a date', 'Rahim 12'],
    ['a date Date.parse reads', 'Tue Nov 27 2026'],
    ['a time without an offset, read in the machine zone', '2026-11-27T13:45:10'],
  ])('refuses %s', (_, value) => {
    expect(Number.isFinite(Date.parse(value))).toBe(true);
    expect(generalize({ kind: 'day' }, value, { occurredAtMillis: 0 }).ok).toBe(false);
  });
});
