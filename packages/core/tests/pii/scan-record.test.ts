import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/needs.ts';
import { PII_RULES, scanRecord, scanValue } from '../../src/pii/index.ts';

// An outbound record as the pipeline produces it: nothing in it may trip the scanner.
const cleanRecord = {
  schema: 'residency.outbound.v1',
  recordId: '0192f0e4-5c3a-7b8e-9d1f-123456789012',
  catalog: 'clinicbook',
  type: 'appointment.booked',
  schemaVersion: 1,
  tenantId: 'clinic-dhaka-01',
  occurredHour: '2026-11-27T07:00Z',
  subject: 'pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6M',
  tokens: { doctor: 'doc_01HV9Z3K8J2Q4W6E8R0T2Y4U6M', phone: 'phn_7ZZZZZZZZZZZZZZZZZZZZZZZZZ' },
  attributes: {
    department: 'cardiology',
    ageBand: '30-39',
    fee: '1000-5000',
    appVersion: '2.4.1',
    slots: 30,
  },
};

describe('scanRecord', () => {
  it('finds nothing in a clean outbound record', () => {
    expect(scanRecord(cleanRecord)).toEqual([]);
  });

  it('reports each rule at the JSON path of the value that fired, at any depth', () => {
    // Prepare
    const record = {
      ...cleanRecord,
      attributes: { ...cleanRecord.attributes, note: 'call +880 1711-234567' },
      nested: { list: [{ ok: 'fine' }, { deeper: ['x', 'rahim@example.com'] }] },
    };
    // Act
    const findings = scanRecord(record);
    // Assess
    expect(findings).toEqual([
      { rule: 'phone', path: '$.attributes.note' },
      { rule: 'email', path: '$.nested.list[1].deeper[1]' },
    ]);
  });

  it('scans integers written out: a 12-digit number can be an Aadhaar, a 16-digit one a card', () => {
    // Prepare
    const record = { a: 234567890124, b: 4111111111111111, c: 1711234567, d: 42, e: 1.5 };
    // Act
    const findings = scanRecord(record);
    // Assess
    expect(findings).toContainEqual({ rule: 'aadhaar', path: '$.a' });
    expect(findings).toContainEqual({ rule: 'card', path: '$.b' });
    expect(findings).toContainEqual({ rule: 'phone', path: '$.c' });
    expect(findings.filter((f) => f.path === '$.d' || f.path === '$.e')).toEqual([]);
  });

  it('reports integers beyond 2^53 with a card length as cards: their check digit is lost', () => {
    expect(scanRecord({ n: 6250941006528599000 })).toEqual([{ rule: 'card', path: '$.n' }]);
    expect(scanRecord({ n: 12345678901234567890n })).toEqual([]);
  });

  it('scans bigints', () => {
    expect(scanRecord({ n: 234567890124n })).toEqual([{ rule: 'aadhaar', path: '$.n' }]);
  });

  it('scans object keys, and names a key that fired by position, never by its text', () => {
    // Prepare
    const record = {
      attributes: { department: 'x', 'rahim@example.com': { visits: 2, phone: '01711234567' } },
    };
    // Act
    const findings = scanRecord(record);
    // Assess
    expect(findings).toEqual([
      { rule: 'email', path: '$.attributes[key#1]' },
      { rule: 'phone', path: '$.attributes[key#1].phone' },
    ]);
  });

  it('names keys that are not plain identifiers by position, even when clean', () => {
    expect(scanRecord({ 'two words': { x: 'rahim@example.com' } })).toEqual([
      { rule: 'email', path: '$[key#0].x' },
    ]);
  });

  it('never puts a value, or a key that fired, into a path', () => {
    // Prepare
    const secrets = ['rahim@example.com', '+8801711234567', 'ABCPE1234F', '234567890124'];
    const record = Object.fromEntries(secrets.map((s) => [s, s]));
    // Act
    const findings = scanRecord(record);
    // Assess
    expect(findings.length).toBeGreaterThanOrEqual(secrets.length * 2);
    for (const finding of findings) {
      expect(Object.keys(finding).sort()).toEqual(['path', 'rule']);
      for (const secret of secrets) expect(finding.path).not.toContain(secret);
    }
  });

  it('scans a Date as the ISO string it serializes to, and skips booleans, null and undefined', () => {
    expect(scanRecord({ at: new Date('2026-11-27T07:00:00Z'), b: true, n: null, u: undefined })).toEqual([]);
  });

  it('scans what toJSON returns, as JSON.stringify would send it', () => {
    const value = { toJSON: () => ({ contact: 'rahim@example.com' }) };
    expect(scanRecord({ value })).toEqual([{ rule: 'email', path: '$.value.contact' }]);
  });
});

describe('scanRecord: exemptPaths', () => {
  // 1812345678901 is an epoch millisecond of May 2027; as digits it is a 13-digit BD NID
  // (district 18, Chuadanga; area code 1). Epoch seconds are 10 digits: a smart-card NID.
  const window = { startMillis: 1812345678901, endMillis: 1812349278901, startSeconds: 1795762800 };

  it('scans numeric fields by default: epoch times collide with NIDs', () => {
    expect(scanRecord({ window })).toEqual([
      { rule: 'bd-nid', path: '$.window.startMillis' },
      { rule: 'bd-nid', path: '$.window.endMillis' },
      { rule: 'phone', path: '$.window.startSeconds' },
      { rule: 'bd-nid', path: '$.window.startSeconds' },
    ]);
  });

  it('skips the numbers at the exempt paths, and only those', () => {
    // Prepare
    const exemptPaths = ['$.window.startMillis', '$.window.endMillis', '$.window.startSeconds'];
    const record = { window, other: { startMillis: 1812345678901 } };
    // Act
    const findings = scanRecord(record, { exemptPaths });
    // Assess
    expect(findings).toEqual([{ rule: 'bd-nid', path: '$.other.startMillis' }]);
  });

  it('supports [*] for any index and .* for any plain key', () => {
    // Prepare
    const record = {
      windows: [{ startMillis: 1812345678901 }, { startMillis: 1812345678901 }],
      by: { a: window },
    };
    const exemptPaths = [
      '$.windows[*].startMillis',
      '$.by.*.startMillis',
      '$.by.*.endMillis',
      '$.by.*.startSeconds',
    ];
    // Act / Assess
    expect(scanRecord(record, { exemptPaths })).toEqual([]);
  });

  it('still scans a string at an exempt path: the exemption is for numbers only', () => {
    const findings = scanRecord(
      { window: { startMillis: 'rahim@example.com' } },
      { exemptPaths: ['$.window.startMillis'] },
    );
    expect(findings).toEqual([{ rule: 'email', path: '$.window.startMillis' }]);
  });

  it('Precondition: an exempt path starts with $', () => {
    expect(() => scanRecord({}, { exemptPaths: ['window.startMillis'] })).toThrow(InvariantError);
  });
});

describe('scanRecord: fails closed on what it cannot walk', () => {
  it('reports a cycle as unscannable instead of looping', () => {
    // Prepare
    const record: Record<string, unknown> = { a: 1 };
    record.self = record;
    // Act / Assess
    expect(scanRecord(record)).toEqual([{ rule: 'unscannable', path: '$.self' }]);
  });

  it('reports nesting deeper than maxDepth as unscannable', () => {
    // Prepare
    let deep: unknown = 'rahim@example.com';
    for (let i = 0; i < 10; i++) deep = [deep];
    // Act / Assess
    expect(scanRecord(deep, { maxDepth: 5 })).toEqual([{ rule: 'unscannable', path: '$[0][0][0][0][0][0]' }]);
    expect(scanRecord(deep)).toEqual([{ rule: 'email', path: `$${'[0]'.repeat(10)}` }]);
  });

  it('reports a throwing getter or toJSON as unscannable, and never throws', () => {
    // Prepare
    const record = {
      get boom(): string {
        throw new Error('getter');
      },
      when: {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
    };
    // Act / Assess
    expect(scanRecord(record)).toEqual([
      { rule: 'unscannable', path: '$.boom' },
      { rule: 'unscannable', path: '$.when' },
    ]);
  });

  it('reports a value with too many phone-shaped candidates to check as a phone (budget)', () => {
    // Prepare: 40 distinct trunk-prefixed numbers, each of which takes a libphonenumber parse
    const many = Array.from({ length: 40 }, (_, i) => `0100000${String(i).padStart(4, '0')}`).join(', ');
    const few = many.split(', ').slice(0, 10).join(', ');
    // Act / Assess
    expect(scanValue(few)).toEqual([]);
    expect(scanValue(many)).toEqual([{ rule: 'phone', path: '$' }]);
  });
});

describe('PII_RULES', () => {
  it('gives every rule an id and a one-line rationale', () => {
    const ids = PII_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of PII_RULES) expect(rule.rationale).toMatch(/^[^\n]{10,120}$/);
  });
});
