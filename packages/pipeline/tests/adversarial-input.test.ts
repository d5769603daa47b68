import { clinicbook } from '@residency/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type DecodedRecord, decodeRecord } from '../src/ingest/decode.ts';
import { booked, registered } from './support/events.ts';

// Hostile payloads nobody wrote a fixture for, through `decodeRecord` with the ClinicBook catalog.
// Every case checks that a value comes back (a throw would fail the batch, and Lambda retries it
// until the record expires) and that what the quarantine, the logs and the metrics see (all but
// the payload bytes, which are sealed) carries no value planted in the input.

const EMAIL = 'rahim.uddin@example.org';
const PHONE = '01711234567';

const text = (value: string | Uint8Array) => Buffer.from(value).toString('base64');
const decode = (value: string | Uint8Array): DecodedRecord => decodeRecord(text(value), clinicbook);
/** A valid event's JSON with one more member appended as raw JSON text (a duplicate key, say). */
const withMember = (event: Record<string, unknown>, key: string, rawValue: string) =>
  `${JSON.stringify(event).slice(0, -1)},${JSON.stringify(key)}:${rawValue}}`;
const without = (event: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(event).filter(([key]) => !keys.includes(key)));

/** What leaves the sealed payload: the reason, the issues and the event type label. */
function visible(result: DecodedRecord): string {
  if (result.kind === 'valid') return '';
  const { payload: _sealed, ...rest } = result;
  return JSON.stringify(rest);
}

function expectQuarantined(
  result: DecodedRecord,
  expected: { reason?: string; path?: string; code?: string; planted?: readonly string[] } = {},
): void {
  expect(result.kind).toBe('malformed');
  if (result.kind !== 'malformed') return;
  if (expected.reason) expect(result.reason).toBe(expected.reason);
  if (expected.path !== undefined || expected.code) {
    expect(result.issues).toContainEqual({
      path: expected.path ?? expect.any(String),
      code: expected.code ?? expect.any(String),
    });
  }
  for (const issue of result.issues) {
    expect(issue.path).toMatch(/^[A-Za-z0-9_.?]*$/);
    expect(issue.code).toMatch(/^[a-z_]{1,64}$/);
  }
  for (const value of expected.planted ?? []) expect(visible(result)).not.toContain(value);
}

function expectValid(result: DecodedRecord): Record<string, unknown> {
  expect(result.kind === 'valid' ? 'valid' : visible(result)).toBe('valid');
  return result.kind === 'valid' ? result.event.data : {};
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype);
afterEach(() => {
  // Assess (every test): nothing reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('decodeRecord against prototype keys', () => {
  it.each([
    ['__proto__', '{"polluted":"yes","isAdmin":true}'],
    ['constructor', '{"prototype":{"polluted":"yes"}}'],
    ['prototype', '{"polluted":"yes"}'],
  ])('strips a top-level %s member and forwards nothing of it', (key, raw) => {
    // Act
    const data = expectValid(decode(withMember(booked(), key, raw)));

    // Assess
    expect(Object.hasOwn(data, key)).toBe(false);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).not.toContain('polluted');
  });

  it('does not read fields hidden under __proto__: a missing patientId stays missing', () => {
    // Prepare: the subject only exists on the (JSON, own) __proto__ member
    const event = without(booked(), 'patientId');

    // Act
    const result = decode(withMember(event, '__proto__', '{"patientId":"P-00012345"}'));

    // Assess
    expectQuarantined(result, { reason: 'invalid', path: 'patientId', code: 'invalid_type' });
  });

  it('does not read a type hidden under __proto__ or constructor', () => {
    for (const key of ['__proto__', 'constructor']) {
      const result = decode(withMember(without(booked(), 'type'), key, '{"type":"appointment.booked"}'));
      expectQuarantined(result, { reason: 'unknown_type', path: 'type' });
      expect(result.kind === 'malformed' && result.eventType).toBeFalsy();
    }
  });

  it('quarantines prototype keys nested in a public field without polluting anything', () => {
    for (const raw of [
      '{"__proto__":{"polluted":"yes"}}',
      '[{"constructor":{"prototype":{"polluted":1}}}]',
    ]) {
      const result = decode(withMember(without(booked(), 'department'), 'department', raw));
      expectQuarantined(result, { reason: 'invalid', path: 'department', code: 'invalid_type' });
    }
  });
});

describe('decodeRecord against duplicate keys (JSON.parse keeps the last)', () => {
  it('validates and tokenizes the same, last, patientId', () => {
    // Act
    const result = decode(withMember(booked({ patientId: 'P-00000001' }), 'patientId', '"P-00000002"'));

    // Assess
    expect(result.kind).toBe('valid');
    if (result.kind !== 'valid') return;
    expect(result.event.data.patientId).toBe('P-00000002');
    expect(result.event.identifiers.filter((i) => i.field === 'patientId').map((i) => i.value)).toEqual([
      // keyed per tenant
      `${result.event.data.tenantId}/P-00000002`,
    ]);
  });

  it('forwards only the last department: a phone number before it is not kept', () => {
    const data = expectValid(
      decode(withMember(booked({ department: `call ${PHONE}` }), 'department', '"ent"')),
    );
    expect(data.department).toBe('ent');
    expect(JSON.stringify(data)).not.toContain(PHONE);
  });

  it('validates against the last type: fields of the first type are stripped or fail', () => {
    // Prepare: a booked event whose last `type` says patient.registered
    const result = decode(withMember(booked(), 'type', '"patient.registered"'));

    // Assess: checked as patient.registered (phone, name... missing)
    expectQuarantined(result, { reason: 'invalid', path: 'phone' });
    expect(result.kind === 'malformed' && result.eventType).toBe('patient.registered');
  });
});

describe('decodeRecord against text that is not Unicode', () => {
  // Escaped lone surrogates are valid JSON; UTF-8 cannot hold them, so the vault's HMAC would read
  // both of these as `P-\uFFFD`: two patients, one token, revealed as neither.
  it.each(['P-\\ud800', 'P-\\udbff', 'P-\\udc00\\ud800', '\\ud800'])(
    'quarantines the lone surrogate %s in an identifier',
    (escaped) => {
      const result = decode(withMember(without(booked(), 'patientId'), 'patientId', `"${escaped}"`));
      expectQuarantined(result, { reason: 'invalid', path: 'patientId', code: 'invalid_unicode' });
    },
  );

  it('quarantines a lone surrogate in a public label (one cell in memory, another in the table)', () => {
    const result = decode(withMember(without(booked(), 'department'), 'department', '"card\\udfffiology"'));
    expectQuarantined(result, { reason: 'invalid', path: 'department', code: 'invalid_unicode' });
  });

  it('accepts escaped surrogate pairs (what ensure_ascii JSON encoders write for an emoji)', () => {
    const raw = withMember(without(booked(), 'department'), 'department', '"cardiology \\ud83e\\udec0"');
    expect(expectValid(decode(raw)).department).toBe('cardiology \u{1FAC0}');
    const registration = withMember(without(registered(), 'name'), 'name', '"Rahima \\ud83d\\ude00"');
    expectValid(decode(registration));
  });

  it('does not label a quarantined record with a type that is a lone surrogate', () => {
    const result = decode(withMember(without(booked(), 'type'), 'type', '"appointment.booked\\ud800"'));
    expectQuarantined(result, { reason: 'unknown_type' });
    expect(result.kind === 'malformed' && result.eventType).toBeFalsy();
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated two-byte sequence', [0xc3]],
    ['a UTF-8-encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a five-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ])('quarantines %s inside a string as not JSON', (_label, bad) => {
    const json = JSON.stringify(booked({ department: 'cardXology' }));
    const at = json.indexOf('X');
    const bytes = Buffer.concat([
      Buffer.from(json.slice(0, at)),
      Buffer.from(bad),
      Buffer.from(json.slice(at + 1)),
    ]);
    expectQuarantined(decode(bytes), { reason: 'not_base64_json', code: 'not_json' });
  });

  it('takes one BOM, and refuses two, a UTF-16 BOM, or bytes after the JSON', () => {
    const json = Buffer.from(JSON.stringify(booked()));
    expectValid(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json])));
    for (const bytes of [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), json]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(booked()), 'utf16le')]),
      Buffer.concat([json, Buffer.from([0])]),
      Buffer.concat([json, Buffer.from('{}')]),
    ]) {
      expectQuarantined(decode(bytes), { reason: 'not_base64_json', code: 'not_json' });
    }
  });

  it('quarantines a raw NUL inside a string as not JSON, and an escaped one in an identifier', () => {
    const json = JSON.stringify(booked({ department: 'cardXology' }));
    expectQuarantined(decode(json.replace('X', '\u0000')), { reason: 'not_base64_json' });
    const escaped = withMember(without(booked(), 'doctorId'), 'doctorId', '"D-\\u0000042"');
    expectQuarantined(decode(escaped), { reason: 'invalid', path: 'doctorId', code: 'invalid_identifier' });
  });
});

describe('decodeRecord against numbers at the edges of JSON', () => {
  it.each(['1e309', '-1e309', `1${'0'.repeat(400)}`, '"NaN"', '"Infinity"', '1711234567', '3650.5'])(
    'quarantines waitDays %s without its digits',
    (raw) => {
      const result = decode(withMember(without(booked(), 'waitDays'), 'waitDays', raw));
      expectQuarantined(result, { reason: 'invalid', path: 'waitDays', planted: ['1711234567'] });
    },
  );

  it.each([
    ['-0', 0],
    ['3e0', 3],
    ['1E1', 10],
    ['1e-400', 0],
    ['3.0000000000000001', 3],
  ])('reads waitDays %s as the number JSON.parse makes of it (%d)', (raw, value) => {
    const data = expectValid(decode(withMember(without(booked(), 'waitDays'), 'waitDays', raw)));
    expect(data.waitDays === value).toBe(true);
    expect(JSON.stringify(data.waitDays)).toBe(String(value));
  });

  it('takes schemaVersion 1.0 as version 1 and refuses a version that is not one', () => {
    expectValid(decode(withMember(without(booked(), 'schemaVersion'), 'schemaVersion', '1.0')));
    for (const raw of ['1e309', '-0', '1.5', `"${EMAIL}"`, 'null', '[1]']) {
      const result = decode(withMember(without(booked(), 'schemaVersion'), 'schemaVersion', raw));
      expectQuarantined(result, { reason: 'unknown_type', path: 'schemaVersion', planted: [EMAIL] });
    }
  });
});

describe('decodeRecord against size and depth', () => {
  const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('quarantines 10,000-deep arrays and objects in every field of an event, naming the field', () => {
    const event = booked();
    for (const field of Object.keys(event)) {
      for (const deep of [deepArray(10_000), deepObject(10_000)]) {
        const result = decode(withMember(without(event, field), field, deep));
        expect(result.kind, field).toBe('malformed');
        if (result.kind === 'malformed' && field !== 'type' && field !== 'schemaVersion')
          expect(result.issues.map((i) => i.path)).toContain(field);
      }
    }
  });

  it('quarantines a 10,000-deep document as not an object', () => {
    expectQuarantined(decode(deepArray(10_000)), { reason: 'not_an_object' });
  });

  it('quarantines a 5 MB string in each field that is kept, and strips one in an unknown field', () => {
    const big = `${EMAIL} `.repeat(200_000);
    for (const field of [
      'eventId',
      'type',
      'occurredAt',
      'tenantId',
      'patientId',
      'department',
      'slotStart',
    ]) {
      expectQuarantined(decode(JSON.stringify(booked({ [field]: big }))), { planted: [EMAIL] });
    }
    expectValid(decode(JSON.stringify(booked({ x_blob: big }))));
  });

  it('strips 100,000 unknown keys and quarantines them in a public field', () => {
    const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`${PHONE}${i}`, i]));
    const data = expectValid(decode(JSON.stringify({ ...many, ...booked() })));
    expect(Object.keys(data).sort()).toEqual(Object.keys(booked()).sort());
    const result = decode(JSON.stringify(booked({ department: many })));
    expectQuarantined(result, { reason: 'invalid', path: 'department', planted: [PHONE] });
  });

  it('quarantines a 1,000,000-element array in a public field', () => {
    const raw = `[${`"${PHONE}",`.repeat(999_999)}"x"]`;
    const result = decode(withMember(without(booked(), 'department'), 'department', raw));
    expectQuarantined(result, { reason: 'invalid', path: 'department', planted: [PHONE] });
  });
});

describe('decodeRecord against values of the wrong type in every field', () => {
  const wrong: unknown[] = [null, true, false, -1, 1.5, [], {}, [EMAIL], { [EMAIL]: PHONE }, [[[PHONE]]]];

  it.each([
    ['appointment.booked', booked],
    ['patient.registered', registered],
  ])('quarantines every wrong value in every field of %s, naming the field and no value', (type, make) => {
    const event = make();
    for (const field of Object.keys(event)) {
      for (const value of wrong) {
        const result = decode(JSON.stringify({ ...event, [field]: value }));
        expectQuarantined(result, { planted: [EMAIL, PHONE] });
        if (result.kind !== 'malformed' || field === 'type' || field === 'schemaVersion') continue;
        expect(result.eventType).toBe(type);
        expect(result.issues.map((i) => i.path)).toContain(field);
      }
    }
  });
});

describe('decodeRecord against identifiers where they do not belong', () => {
  it.each([EMAIL, PHONE, `+880${PHONE.slice(1)}`, '2345 6789 0124'])(
    'quarantines the type %s as unknown, with no label and no value',
    (type) => {
      const result = decode(JSON.stringify(booked({ type })));
      expectQuarantined(result, { reason: 'unknown_type', path: 'type', planted: [type] });
      expect(result.kind === 'malformed' && result.eventType).toBeUndefined();
    },
  );

  it.each([
    ['department', PHONE, booked],
    ['department', `dr ${EMAIL}`, booked],
    ['district', EMAIL, registered],
    ['district', `ward ${PHONE}`, registered],
  ])('quarantines %s %j as personal data without carrying it', (field, value, make) => {
    const result = decode(JSON.stringify(make({ [field]: value })));
    expectQuarantined(result, { reason: 'invalid', path: field, code: 'personal_data', planted: [value] });
  });

  it.each([EMAIL, PHONE, '+8801711234567', `${PHONE}-0000-4000-8000-000000000000`])(
    'quarantines the eventId %s (not a UUID) without carrying it',
    (eventId) => {
      const result = decode(JSON.stringify(booked({ eventId })));
      expectQuarantined(result, { reason: 'invalid', path: 'eventId', planted: [eventId] });
    },
  );

  it.each([PHONE, EMAIL, 'dhk-01711234567', 'DHK-Mirpur'])('quarantines the tenantId %s', (tenantId) => {
    const result = decode(JSON.stringify(booked({ tenantId })));
    expectQuarantined(result, { reason: 'invalid', path: 'tenantId', planted: [tenantId] });
  });

  it('keeps an identifier used as an unknown key out of the event and out of the issues', () => {
    expect(Object.keys(expectValid(decode(JSON.stringify({ ...booked(), [EMAIL]: PHONE }))))).not.toContain(
      EMAIL,
    );
    const result = decode(JSON.stringify({ ...booked({ waitDays: 'x' }), [EMAIL]: PHONE }));
    expectQuarantined(result, { reason: 'invalid', path: 'waitDays', planted: [EMAIL, PHONE] });
  });
});
