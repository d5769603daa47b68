import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
  compileCatalog,
  defineCatalog,
  defineEvent,
  identifier,
  OutboundRecordSchema,
  publicField,
  quasi,
  recordIdUnder,
  sensitive,
  tokenKey,
  toOutbound,
  validateEvent,
} from '../src/index.ts';

type Fields = Record<string, z.ZodType>;

const compile = (fields: Fields) =>
  compileCatalog(
    defineCatalog({
      name: 'counter',
      events: [defineEvent({ type: 'visit.logged', schemaVersion: 1, fields })],
    }),
  );

const envelope = {
  eventId: '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
  type: 'visit.logged',
  schemaVersion: 1,
  occurredAt: '2026-11-27T10:15:00+06:00',
  tenantId: 'dhk-mirpur-01',
};

// Schemas whose every valid value can leave as an attribute.
const LEAVING: Record<string, z.ZodType> = {
  text: z.string().max(256),
  shortText: z.string().min(1).max(12),
  fixed: z.string().length(4),
  trimmed: z.string().trim().max(40),
  uuid: z.uuid(),
  date: z.iso.date(),
  number: z.number(),
  int: z.int().min(0).max(90),
  flag: z.boolean(),
  choice: z.enum(['web', 'app']),
  numericLiteral: z.literal(3),
  union: z.union([z.literal(0), z.string().max(8), z.boolean()]),
  optional: z.string().max(16).optional(),
  defaulted: z.enum(['a', 'b']).default('a'),
  lowered: z.string().trim().toLowerCase().max(32),
  ulid: z.ulid(),
};

// Schemas that validation would accept but the exit would refuse on every such event.
const STAYING: Record<string, z.ZodType> = {
  unbounded: z.string(),
  long: z.string().max(257),
  email: z.email(),
  nullable: z.enum(['a', 'b']).nullable(),
  nullish: z.string().max(8).nullish(),
  nullLiteral: z.literal(null),
  json: z.json(),
  array: z.array(z.string().max(8)).max(4),
  record: z.record(z.string().max(8), z.number()),
  object: z.strictObject({ channel: z.string().max(8) }),
  date: z.date(),
  bigint: z.bigint(),
  unknown: z.unknown(),
  transform: z
    .string()
    .max(8)
    .transform((s) => s.length),
  pipe: z.string().max(8).pipe(z.string().max(4)),
  caught: z.string().max(8).catch('x'),
  union: z.union([z.string().max(8), z.array(z.string().max(8))]),
  longChoice: z.enum(['x'.repeat(257)]),
  defaultOutside: z.string().max(8).default('unspecified'),
  defaultTooLong: z.string().max(256).optional().default('x'.repeat(300)),
  defaultInfinite: z.number().default(Number.POSITIVE_INFINITY),
  growing: z
    .string()
    .max(8)
    .overwrite((s) => `${s}!`),
  doubling: z
    .number()
    .max(10)
    .overwrite((n) => n * 2),
  boundOff: z.string().max(8, { when: () => false } as never),
  upperAfterBound: z.string().max(8).toUpperCase(),
  lowerAfterBound: z.string().max(32).trim().toLowerCase(),
  upperOfFixed: z.string().length(4).toUpperCase(),
  nfkcAfterBound: z.string().max(8).normalize('NFKC'),
};

describe('a catalog refuses public fields that could never leave', () => {
  it.each(Object.entries(LEAVING))('compiles a public %s', (name, schema) => {
    expect(() => compile({ [name]: publicField(schema) })).not.toThrow();
  });

  it.each(Object.entries(STAYING))('refuses a public %s, naming the field', (name, schema) => {
    expect(() => compile({ [name]: publicField(schema) })).toThrow(CatalogError);
    expect(() => compile({ [name]: publicField(schema) })).toThrow(new RegExp(`visit\\.logged\\.${name}: `));
  });

  it('says what to write instead', () => {
    expect(() => compile({ note: publicField(z.string()) })).toThrow(/declare \.max\(n\) with n <= 256/);
    expect(() => compile({ kind: publicField(z.enum(['a']).nullable()) })).toThrow(/use \.optional\(\)/);
    expect(() => compile({ tags: publicField(z.array(z.string().max(8))) })).toThrow(/sensitive\(\)/);
  });

  it('keeps the same structures as dropped fields, which never leave', () => {
    expect(() => compile({ answers: sensitive(z.json()) })).not.toThrow();
  });

  it('refuses attribute names the outbound record cannot hold', () => {
    for (const name of ['visit-kind', '1st', '_x', 'a'.repeat(65), 'রোগী']) {
      expect(() => compile({ [name]: publicField(z.boolean()) }), name).toThrow(/a public field's name/);
    }
    for (const as of ['age-band', '', 'x y']) {
      expect(
        () => compile({ dateOfBirth: quasi(z.iso.date(), { generalize: { kind: 'day' }, as }) }),
        as,
      ).toThrow(/'as' is a letter/);
    }
    expect(() =>
      compile({
        visit_kind: publicField(z.boolean()),
        seenOn: quasi(z.iso.date(), { generalize: { kind: 'day' }, as: 'seenDay' }),
      }),
    ).not.toThrow();
  });
});

describe('every value a compiled public field accepts passes the exit', () => {
  const catalog = compile(
    Object.fromEntries(Object.entries(LEAVING).map(([n, s]) => [n, publicField(s).optional()])),
  );
  const def = catalog.get('visit.logged', 1);
  const key = randomBytes(32);
  const scalar = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constantFrom(
      'web',
      'app',
      'a',
      'b',
      '2026-11-27',
      '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
      'abcd',
      0,
      3,
    ),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );

  it('maps a valid event to a record both outbound schemas take (property)', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(LEAVING)), scalar), (fields) => {
        const result = validateEvent(catalog, { ...envelope, ...fields });
        if (!result.ok) return;
        valid += 1;
        const record = toOutbound(result.event, new Map(), recordIdUnder(key, envelope.eventId));
        expect(OutboundRecordSchema.safeParse(record).error?.issues).toBeUndefined();
        expect(def?.outboundSchema.safeParse(record).error?.issues).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
    expect(valid).toBeGreaterThan(100);
  });
});

describe('the strict outbound schema of an event type and its subject', () => {
  const key = randomBytes(32);
  const token = 'pat_0123456789ABCDEFGHJKMNPQRS';
  const recordOf = (fields: Fields, input: Record<string, unknown>, tokens: Map<string, string>) => {
    const catalog = compile(fields);
    const result = validateEvent(catalog, { ...envelope, ...input });
    if (!result.ok) throw new Error(JSON.stringify(result.error.issues));
    const record = toOutbound(result.event, tokens, recordIdUnder(key, envelope.eventId));
    return { record, strict: catalog.get('visit.logged', 1)?.outboundSchema };
  };
  const patient = (optional: boolean) => {
    const schema = identifier(z.string().min(1).max(32), {
      kind: 'patient',
      egress: 'token',
      normalizer: 'opaque',
      subject: true,
    });
    return { patientId: optional ? schema.optional() : schema };
  };

  it('takes the record of an event type without a subject field', () => {
    const { record, strict } = recordOf(
      { channel: publicField(z.enum(['web'])) },
      { channel: 'web' },
      new Map(),
    );
    expect(record.subject).toBeUndefined();
    expect(strict?.safeParse(record).error?.issues).toBeUndefined();
    expect(strict?.safeParse({ ...record, subject: token }).success).toBe(false);
  });

  it("refuses a record whose subject is not its subject field's token", () => {
    const doctor = 'doc_0123456789ABCDEFGHJKMNPQRS';
    const tokens = new Map([[tokenKey('patient', 'dhk-mirpur-01/P-1'), token]]);
    for (const optional of [false, true]) {
      const { record, strict } = recordOf(patient(optional), { patientId: 'P-1' }, tokens);
      expect(strict?.safeParse({ ...record, subject: doctor }).success).toBe(false);
      const { patientId: _token, ...otherTokens } = record.tokens;
      expect(strict?.safeParse({ ...record, tokens: otherTokens }).success).toBe(false);
      const { subject: _subject, ...withoutSubject } = record;
      expect(strict?.safeParse(withoutSubject).success).toBe(false);
    }
  });

  it('takes a record with and without an optional subject, and requires a required one', () => {
    const tokens = new Map([[tokenKey('patient', 'dhk-mirpur-01/P-1'), token]]);
    const absent = recordOf(patient(true), {}, tokens);
    expect(absent.strict?.safeParse(absent.record).error?.issues).toBeUndefined();
    const present = recordOf(patient(true), { patientId: 'P-1' }, tokens);
    expect(present.record.subject).toBe(token);
    expect(present.strict?.safeParse(present.record).error?.issues).toBeUndefined();
    const required = recordOf(patient(false), { patientId: 'P-1' }, tokens);
    expect(required.strict?.safeParse(required.record).error?.issues).toBeUndefined();
    const { subject: _dropped, ...withoutSubject } = required.record;
    expect(required.strict?.safeParse(withoutSubject).success).toBe(false);
  });
});

describe('numbers a public field may hold', () => {
  const catalog = compile({ amount: publicField(z.number()).optional() });
  const key = randomBytes(32);

  it('refuses in region what the control plane could not store, and forwards the rest', () => {
    for (const amount of [1e20, -1e20, 2 ** 53, 1e-200, -1e-131]) {
      const result = validateEvent(catalog, { ...envelope, amount });
      expect(result.ok ? [] : result.error.issues, String(amount)).toContainEqual(
        expect.objectContaining({ path: 'amount', code: 'number_out_of_range' }),
      );
    }
    for (const amount of [0, -0, 1e-130, 12.5, -7, Number.MAX_SAFE_INTEGER]) {
      const result = validateEvent(catalog, { ...envelope, amount });
      expect(result.ok, String(amount)).toBe(true);
      if (!result.ok) continue;
      const record = toOutbound(result.event, new Map(), recordIdUnder(key, envelope.eventId));
      expect(OutboundRecordSchema.safeParse(record).success, String(amount)).toBe(true);
    }
  });

  it('refuses them at the exit too, whatever path a record took', () => {
    const result = validateEvent(catalog, { ...envelope, amount: 5 });
    if (!result.ok) throw new Error('invalid');
    const record = toOutbound(result.event, new Map(), recordIdUnder(key, envelope.eventId));
    expect(OutboundRecordSchema.safeParse({ ...record, attributes: { amount: 1e20 } }).success).toBe(false);
  });
});
