import fc from 'fast-check';
import { core, testing } from './deps.ts';
import { BASE_MILLIS } from './workload.ts';

/** Why the ingest quarantines a record (its `QuarantineReason`). */
export type Reason = 'not_base64_json' | 'not_an_object' | 'unknown_type' | 'invalid';

/** What must become of an input. `either`: the schema decides; it must still end in exactly one place. */
export type Expectation =
  | { outcome: 'quarantine'; reason?: Reason }
  | { outcome: 'forward' }
  | { outcome: 'either' };

/** One bad (or tricky) input. */
export interface BadInput {
  label: string;
  /** The record's bytes (sent base64-encoded, as Kinesis does). */
  bytes: Uint8Array;
  /** Instead of bytes: this string as the record's `data`, not base64 (a corrupted envelope). */
  rawData?: string;
  expect: Expectation;
  /** The event id, when the input may be forwarded. */
  eventId?: string;
  /**
   * Personal data planted in public fields: validation must quarantine the event (issue code
   * `personal_data`), and should it ever be forwarded, the border's PII scan must block the record.
   */
  pii?: readonly string[];
  /** Inputs with the same `samePatientAs` must get the same subject token (one person, one token). */
  samePatientAs?: string;
}

/** A bad input, given the event id to use (unique per run, so outcomes can be traced). */
export type BadInputTemplate = (eventId: string) => BadInput;

const text = (value: string) => Buffer.from(value, 'utf8');
const json = (value: unknown) => text(JSON.stringify(value));

/** A valid appointment.booked event. */
export function booked(eventId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId,
    type: 'appointment.booked',
    schemaVersion: 1,
    occurredAt: new Date(BASE_MILLIS + 30_000).toISOString(),
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00012345',
    doctorId: 'D-00000042',
    appointmentId: 'A-00000001',
    department: 'cardiology',
    slotStart: '2026-03-04T09:30:00+06:00',
    channel: 'app',
    waitDays: 3,
    ...overrides,
  };
}

/** A valid patient.registered event. */
export function registered(
  eventId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventId,
    type: 'patient.registered',
    schemaVersion: 1,
    occurredAt: new Date(BASE_MILLIS + 40_000).toISOString(),
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00099999',
    phone: '01712345678',
    email: 'rahima.khatun@example.org',
    name: 'Rahima Khatun',
    address: 'House 12, Road 5, Mirpur',
    dateOfBirth: '1988-07-14',
    gender: 'female',
    district: 'Dhaka',
    ...overrides,
  };
}

// Unicode tricks people (and attackers) use to slip numbers past filters.
const fullWidth = (s: string) =>
  s.replace(/[0-9@.+-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const bengaliDigits = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x09e6 + Number(d)));
const zeroWidth = (s: string) => [...s].join('\u200B');
const rightToLeftMark = (s: string) => `\u200F${s}\u200F`;
const reversedWithOverride = (s: string) => `\u202E${[...s].reverse().join('')}\u202C`;

/** The tricks, by name. */
export const TRICKS: Readonly<Record<string, (s: string) => string>> = {
  plain: (s) => s,
  fullWidth,
  bengaliDigits,
  zeroWidth,
  rightToLeftMark,
  reversedWithOverride,
};

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A valid event's JSON with one more member appended as raw JSON text (no stringify of the deep part). */
const withRawMember = (event: Record<string, unknown>, key: string, rawValue: string) =>
  text(`${JSON.stringify(event).slice(0, -1)},${JSON.stringify(key)}:${rawValue}}`);

const PII_IN_PUBLIC_FIELDS: ReadonlyArray<[string, string, string]> = [
  // [field, value, planted identifier]
  ['department', 'call 01711234567', '01711234567'],
  ['department', fullWidth('01711234567'), '01711234567'],
  ['department', bengaliDigits('01711234567'), '01711234567'],
  ['department', zeroWidth('01711234567'), '01711234567'],
  ['department', rightToLeftMark('01711234567'), '01711234567'],
  ['department', reversedWithOverride('01711234567'), '01711234567'],
  ['department', '+880 1711-234567', '01711234567'],
  ['department', 'ph +91 98765 43210', '9876543210'],
  ['district', 'rahim@example.org', 'rahim@example.org'],
  ['district', fullWidth('rahim@example.org'), 'rahim@example.org'],
  ['district', 'rahim@exa\u200Bmple.org', 'rahim@example.org'],
  ['district', 'aadhaar 2345 6789 0124', '234567890124'],
  ['district', 'card 4111 1111 1111 1111', '4111111111111111'],
  ['district', 'from 192.168.1.20', '192.168.1.20'],
];

/**
 * The hand-written corpus: empty and non-JSON payloads, encodings, deep nesting, numbers at their
 * edges, strings at and over their limits, duplicate keys, prototype keys, unicode tricks in
 * identifiers, and personal data in public fields.
 */
export function handWrittenInputs(): BadInputTemplate[] {
  const q = (reason?: Reason): Expectation => ({ outcome: 'quarantine', ...(reason ? { reason } : {}) });
  const forward: Expectation = { outcome: 'forward' };
  const either: Expectation = { outcome: 'either' };
  const bytes =
    (label: string, data: Uint8Array, expect: Expectation): BadInputTemplate =>
    () => ({
      label,
      bytes: data,
      expect,
    });
  const event =
    (
      label: string,
      make: (id: string) => Record<string, unknown>,
      expect: Expectation,
      extra: Partial<BadInput> = {},
    ): BadInputTemplate =>
    (id) => ({ label, bytes: json(make(id)), expect, eventId: id, ...extra });
  const rawEvent = (
    label: string,
    make: (id: string) => Uint8Array,
    expect: Expectation,
    extra: Partial<BadInput> = {},
  ) => ((id) => ({ label, bytes: make(id), expect, eventId: id, ...extra })) satisfies BadInputTemplate;
  const at =
    (field: string, length: number, base = booked) =>
    (id: string) =>
      base(id, { [field]: 'x'.repeat(length) });
  const atR = (field: string, length: number) => at(field, length, registered);

  return [
    bytes('empty payload', new Uint8Array(), q('not_base64_json')),
    bytes('whitespace only', text(' \n\t '), q('not_base64_json')),
    bytes('JSON null', text('null'), q('not_an_object')),
    bytes('JSON number', text('42'), q('not_an_object')),
    bytes('JSON string', text('"appointment.booked"'), q('not_an_object')),
    bytes('JSON array', text('[{"type":"appointment.booked"}]'), q('not_an_object')),
    bytes('empty object', text('{}'), q()),
    bytes('100k-deep array', text(deepArray(100_000)), q()),
    bytes(
      'random bytes',
      Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) % 256)),
      q('not_base64_json'),
    ),
    (id) => ({
      label: 'data that is not base64',
      bytes: new Uint8Array(),
      rawData: `not base64!${id}`,
      expect: q('not_base64_json'),
    }),
    rawEvent(
      'byte order mark before JSON (TextDecoder drops it: accepted)',
      (id) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(booked(id))]),
      forward,
    ),
    rawEvent(
      'invalid UTF-8 inside a string',
      (id) =>
        Buffer.concat([text(JSON.stringify(booked(id)).slice(0, -2)), Buffer.from([0xc3, 0x28]), text('"}')]),
      q('not_base64_json'),
    ),
    rawEvent(
      'overlong UTF-8 encoding of "/"',
      (id) => Buffer.concat([text(`{"eventId":"${id}","x":"`), Buffer.from([0xc0, 0xaf]), text('"}')]),
      q('not_base64_json'),
    ),
    ...[0.25, 0.5, 0.9, 0.99].map((f) =>
      rawEvent(
        `valid event truncated at ${f * 100}%`,
        (id) => {
          const t = JSON.stringify(booked(id));
          return text(t.slice(0, Math.floor(t.length * f)));
        },
        q('not_base64_json'),
      ),
    ),
    rawEvent(
      '100k-deep object in an unknown field (stripped)',
      (id) => withRawMember(booked(id), 'x_deep', deepObject(100_000)),
      forward,
    ),
    rawEvent(
      '100k-deep array in a public field',
      (id) => withRawMember(booked(id, { department: undefined }), 'department', deepArray(100_000)),
      q('invalid'),
    ),
    rawEvent(
      '1e400 (Infinity) as waitDays',
      (id) => withRawMember(booked(id, { waitDays: undefined }), 'waitDays', '1e400'),
      q('invalid'),
    ),
    event('waitDays -1', (id) => booked(id, { waitDays: -1 }), q('invalid')),
    event('waitDays 0', (id) => booked(id, { waitDays: 0 }), forward),
    event('waitDays -0', (id) => booked(id, { waitDays: -0 }), forward),
    event('waitDays 3650 (max)', (id) => booked(id, { waitDays: 3650 }), forward),
    event('waitDays 3651', (id) => booked(id, { waitDays: 3651 }), q('invalid')),
    event('waitDays 1.5', (id) => booked(id, { waitDays: 1.5 }), q('invalid')),
    event('waitDays 2^53 + 1', (id) => booked(id, { waitDays: 2 ** 53 + 1 }), q('invalid')),
    event('waitDays "3"', (id) => booked(id, { waitDays: '3' }), q('invalid')),
    event('amount 0', (id) => payment(id, 0), forward),
    event('amount 5e-324', (id) => payment(id, 5e-324), forward),
    event('amount 100000000 (max)', (id) => payment(id, 100_000_000), forward),
    event('amount 100000001', (id) => payment(id, 100_000_001), q('invalid')),
    event('amount -1', (id) => payment(id, -1), q('invalid')),
    event('amount MAX_VALUE', (id) => payment(id, Number.MAX_VALUE), q('invalid')),
    event('schemaVersion 2', (id) => booked(id, { schemaVersion: 2 }), q()),
    event('schemaVersion "1"', (id) => booked(id, { schemaVersion: '1' }), q()),
    event('eventId not a UUID', () => booked('not-a-uuid'), q('invalid')),
    event('occurredAt 30 February', (id) => booked(id, { occurredAt: '2026-02-30T10:00:00Z' }), q('invalid')),
    event('tenantId with a path', (id) => booked(id, { tenantId: '../../etc/passwd' }), q('invalid')),
    event('patientId with NUL', (id) => booked(id, { patientId: 'P-000\u0000123' }), q('invalid')),
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((type) =>
      event(`type "${type}"`, (id) => booked(id, { type }), q('unknown_type')),
    ),
    rawEvent(
      '__proto__ member (stripped, pollutes nothing)',
      (id) => withRawMember(booked(id), '__proto__', '{"polluted":"yes"}'),
      forward,
    ),
    rawEvent(
      'constructor member (stripped)',
      (id) => withRawMember(booked(id), 'constructor', '{"prototype":{"polluted":"yes"}}'),
      forward,
    ),
    rawEvent(
      'duplicate key: the last department carries a phone number',
      (id) => withRawMember(booked(id), 'department', '"call 01711234567"'),
      q('invalid'),
      { pii: ['01711234567'] },
    ),
    rawEvent(
      'duplicate key: two event types',
      (id) => withRawMember(booked(id), 'type', '"note.added"'),
      either,
    ),
    rawEvent(
      'duplicate key: two event ids',
      (id) => withRawMember(booked('00000000-0000-4000-8000-000000000000'), 'eventId', JSON.stringify(id)),
      forward,
    ),
    event('department of 64 characters (max)', at('department', 64), forward),
    event('department of 65 characters', at('department', 65), q('invalid')),
    event('district of 65 characters', atR('district', 65), q('invalid')),
    event('name of 200 characters (max)', atR('name', 200), forward),
    event('name of 201 characters', atR('name', 201), q('invalid')),
    event('address of 501 characters', atR('address', 501), q('invalid')),
    event('patientId of 128 characters (max)', at('patientId', 128), forward),
    event('patientId of 129 characters', at('patientId', 129), q('invalid')),
    event(
      'email of 321 characters',
      (id) => registered(id, { email: `${'a'.repeat(309)}@example.org` }),
      q('invalid'),
    ),
    event('note of 20000 characters (max)', (id) => note(id, 'n'.repeat(20_000)), forward),
    event('note of 20001 characters', (id) => note(id, 'n'.repeat(20_001)), q('invalid')),
    event('cancellation reason of 2001 characters', (id) => cancelled(id, 'r'.repeat(2001)), q('invalid')),
    event('lone surrogate in a public field', (id) => booked(id, { department: 'card\uD800iology' }), either),
    ...PII_IN_PUBLIC_FIELDS.map(([field, value, planted]) =>
      event(
        `personal data in public field ${field}: ${JSON.stringify(value)}`,
        (id) =>
          field === 'department' ? booked(id, { department: value }) : registered(id, { district: value }),
        q('invalid'),
        { pii: [planted] },
      ),
    ),
    ...Object.entries({
      plain: 'P-00077777',
      fullWidth: fullWidth('P-00077777').replace('P', 'Ｐ'),
      zeroWidth: 'P-000\u200B77777',
      rightToLeftMark: '\u200FP-00077777',
      padded: '  P-00077777 ',
      bengaliDigits: `P-${bengaliDigits('00077777')}`,
    }).map(([trick, patientId]) =>
      event(`patientId spelled ${trick}`, (id) => booked(id, { patientId }), forward, {
        samePatientAs: 'P-00077777',
      }),
    ),
  ];
}

function payment(eventId: string, amount: number): Record<string, unknown> {
  return {
    eventId,
    type: 'payment.completed',
    schemaVersion: 1,
    occurredAt: new Date(BASE_MILLIS + 50_000).toISOString(),
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00012345',
    amount,
    currency: 'BDT',
    method: 'cash',
  };
}

function note(eventId: string, text: string): Record<string, unknown> {
  return {
    ...booked(eventId),
    type: 'note.added',
    note: text,
    appointmentId: undefined,
    department: undefined,
    slotStart: undefined,
    channel: undefined,
    waitDays: undefined,
  };
}

function cancelled(eventId: string, reason: string): Record<string, unknown> {
  return {
    eventId,
    type: 'appointment.cancelled',
    schemaVersion: 1,
    occurredAt: new Date(BASE_MILLIS + 20_000).toISOString(),
    tenantId: 'dhk-mirpur-01',
    patientId: 'P-00012345',
    appointmentId: 'A-00000009',
    reason,
    cancelledBy: 'patient',
  };
}

/** A valid ClinicBook event (the shared arbitrary) with a time inside the test windows. */
const validEvent = testing.clinicbookEvent.map(
  (e): Record<string, unknown> => ({
    ...(e as Record<string, unknown>),
    occurredAt: new Date(BASE_MILLIS + 10_000).toISOString(),
  }),
);

/** Personal data as it appears in text, with a trick applied: [the text, the identifier]. */
const plantedPii = fc
  .tuple(
    fc.oneof(testing.bdPhone, testing.inPhone, testing.email, testing.aadhaar),
    fc.constantFrom(...Object.keys(TRICKS)),
    fc.constantFrom('', 'call ', 'ref: ', 'contact '),
  )
  .map(([pii, trick, prefix]) => [`${prefix}${TRICKS[trick]?.(pii) ?? pii}`, pii] as const);

/**
 * Generated bad input (fast-check): random bytes, strings that are not base64, any JSON value,
 * valid events truncated, with a field of the wrong type, with a field removed, with unknown keys,
 * nested deeply, and with personal data (tricks included) in a public field.
 */
export const badInput: fc.Arbitrary<BadInputTemplate> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map(
    (data): BadInputTemplate =>
      () => ({
        label: 'random bytes',
        bytes: data,
        expect: { outcome: 'quarantine' },
      }),
  ),
  fc.string({ maxLength: 200 }).map(
    (raw): BadInputTemplate =>
      () => ({
        label: 'a string that is not base64',
        bytes: new Uint8Array(),
        rawData: raw,
        expect: { outcome: 'quarantine' },
      }),
  ),
  fc.jsonValue().map(
    (value): BadInputTemplate =>
      () => ({
        label: 'any JSON value',
        bytes: json(value),
        expect: { outcome: 'quarantine' },
      }),
  ),
  fc.tuple(validEvent, fc.double({ min: 0, max: 0.999, noNaN: true })).map(
    ([event, cut]): BadInputTemplate =>
      (id) => {
        const t = JSON.stringify({ ...event, eventId: id });
        return {
          label: 'truncated',
          bytes: text(t.slice(0, Math.floor(t.length * cut))),
          expect: { outcome: 'quarantine', reason: 'not_base64_json' },
        };
      },
  ),
  fc.tuple(validEvent, fc.nat(), fc.jsonValue()).map(
    ([event, pick, value]): BadInputTemplate =>
      (id) => {
        const keys = Object.keys(event).filter((k) => k !== 'eventId');
        const key = keys[pick % keys.length] as string;
        return {
          label: `wrong value for ${key}`,
          bytes: json({ ...event, eventId: id, [key]: value }),
          expect: { outcome: 'either' },
          eventId: id,
        };
      },
  ),
  fc.tuple(validEvent, fc.nat()).map(
    ([event, pick]): BadInputTemplate =>
      (id) => {
        const keys = Object.keys(event).filter((k) => k !== 'eventId');
        const key = keys[pick % keys.length] as string;
        const { [key]: _removed, ...rest } = event;
        return {
          label: `without ${key}`,
          bytes: json({ ...rest, eventId: id }),
          expect: { outcome: 'either' },
          eventId: id,
        };
      },
  ),
  fc
    .tuple(
      validEvent,
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x_${k}`),
        fc.jsonValue(),
        { maxKeys: 5 },
      ),
    )
    .map(
      ([event, extra]): BadInputTemplate =>
        (id) => ({
          label: 'unknown keys',
          bytes: json({ ...extra, ...event, eventId: id }),
          expect: { outcome: 'forward' },
          eventId: id,
        }),
    ),
  fc.tuple(validEvent, fc.integer({ min: 1, max: 20_000 }), fc.boolean()).map(
    ([event, depth, inKnownField]): BadInputTemplate =>
      (id) => ({
        label: `nested ${depth} deep ${inKnownField ? 'in tenantId' : 'in an unknown key'}`,
        bytes: inKnownField
          ? withRawMember({ ...event, eventId: id, tenantId: undefined }, 'tenantId', deepArray(depth))
          : withRawMember({ ...event, eventId: id }, 'x_nested', deepObject(depth)),
        expect: inKnownField ? { outcome: 'quarantine', reason: 'invalid' } : { outcome: 'forward' },
        eventId: id,
      }),
  ),
  fc.tuple(plantedPii, fc.constantFrom('department', 'district')).map(
    ([[value, planted], field]): BadInputTemplate =>
      (id) => ({
        label: `personal data in ${field}`,
        bytes: json(
          field === 'department' ? booked(id, { department: value }) : registered(id, { district: value }),
        ),
        expect: { outcome: 'quarantine', reason: 'invalid' },
        eventId: id,
        pii: [planted],
      }),
  ),
);

/** The identifier inside `pii` as the scanner compares it: folded, digits and email characters only. */
export function foldedPii(value: string): string {
  return core.foldText(value).replace(/[\s()-]/g, '');
}
