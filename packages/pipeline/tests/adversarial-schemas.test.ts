import {
  compileCatalog,
  defineCatalog,
  defineEvent,
  identifier,
  publicField,
  sensitive,
  validateEvent,
} from '@residency/core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type DecodedRecord, decodeRecord } from '../src/ingest/decode.ts';

// Hostile payloads against the shapes ClinicBook does not use but a catalog may: recursive values,
// records keyed by the sender, arrays and nested objects in public fields. The engine must stay
// total (a value back, never a throw) and keep keys chosen by the sender out of issue paths.

const EMAIL = 'rahim.uddin@example.org';
const PHONE = '01711234567';

type TreeNode = { label: string; children: TreeNode[] };
const TreeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({ label: z.string().max(16), children: z.array(TreeSchema).max(8) }),
);

const survey = defineEvent({
  type: 'survey.answered',
  schemaVersion: 1,
  fields: {
    userId: identifier(z.string().min(1).max(64), {
      kind: 'user',
      egress: 'token',
      normalizer: 'opaque',
      subject: true,
    }),
    tags: publicField(z.array(z.string().max(32)).max(10)).optional(),
    counts: publicField(z.record(z.string().max(16), z.number())).optional(),
    labels: publicField(z.record(z.string(), z.string().max(32))).optional(),
    answers: publicField(z.json()).optional(),
    tree: publicField(TreeSchema).optional(),
    raw: sensitive(z.json()).optional(),
  },
});
const catalog = compileCatalog(defineCatalog({ name: 'survey', events: [survey] }));

const base = () => ({
  eventId: '2b0f6a43-51f4-4f0e-9d57-0a1f5f1f8a11',
  type: 'survey.answered',
  schemaVersion: 1,
  occurredAt: '2026-03-01T10:00:00Z',
  tenantId: 'dhk-mirpur-01',
  userId: 'U-0001',
});
const decode = (json: string): DecodedRecord => decodeRecord(Buffer.from(json).toString('base64'), catalog);
const withMember = (key: string, rawValue: string) =>
  `${JSON.stringify(base()).slice(0, -1)},${JSON.stringify(key)}:${rawValue}}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepTree = (depth: number) =>
  `${'{"label":"x","children":['.repeat(depth)}${'{"label":"x","children":[]}'}${']}'.repeat(depth)}`;

/** The issues as the quarantine keeps them: everything but the sealed payload. */
function issuesOf(result: DecodedRecord): Array<{ path: string; code: string }> {
  expect(result.kind).toBe('malformed');
  return result.kind === 'malformed' ? [...result.issues] : [];
}

function visible(result: DecodedRecord): string {
  if (result.kind === 'valid') return '';
  const { payload: _sealed, ...rest } = result;
  return JSON.stringify(rest);
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype);
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('decodeRecord against values nested deeper than the stack (recursive field schemas)', () => {
  it.each([
    ['a public z.json() field, 10,000-deep arrays', 'answers', deepArray(10_000)],
    ['a public z.json() field, 100,000-deep objects', 'answers', deepObject(100_000)],
    ['a sensitive z.json() field (dropped anyway), 100,000-deep arrays', 'raw', deepArray(100_000)],
    ['a public z.lazy() tree, 20,000 levels', 'tree', deepTree(20_000)],
  ])('quarantines %s as unparseable instead of throwing a RangeError', (_label, field, deep) => {
    // Act
    const result = decode(withMember(field, deep));

    // Assess
    expect(result.kind === 'malformed' && result.reason).toBe('invalid');
    expect(issuesOf(result)).toEqual([{ path: '', code: 'unparseable' }]);
    expect(result.kind === 'malformed' && result.eventType).toBe('survey.answered');
  });

  it('says so in the validation error too, without a value', () => {
    const result = validateEvent(catalog, JSON.parse(withMember('answers', deepObject(50_000))));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues.map((i) => i.code)).toEqual(['unparseable']);
  });

  it('forwards a shallow tree and quarantines personal data 70 levels down (beyond the scan)', () => {
    expect(decode(withMember('tree', deepTree(5))).kind).toBe('valid');
    const deepPhone = `${'['.repeat(70)}"${PHONE}"${']'.repeat(70)}`;
    const result = decode(withMember('answers', deepPhone));
    expect(issuesOf(result)).toEqual([{ path: 'answers', code: 'personal_data' }]);
    expect(visible(result)).not.toContain(PHONE);
  });
});

describe('decodeRecord against keys chosen by the sender', () => {
  it.each([
    ['a phone number key with a value of the wrong type', { counts: { [PHONE]: 'x' } }, 'counts.?'],
    ['an email key longer than the key schema allows', { counts: { [EMAIL]: 1 } }, 'counts.?'],
    [
      'a phone number key nested in a tree',
      { tree: { label: 'x', children: [{ [PHONE]: 1 }] } },
      'tree.?.0.?',
    ],
    ['an email key in a JSON value of the wrong kind', { tags: { [EMAIL]: [PHONE] } }, 'tags'],
  ])('names %s as "?" in the issue path and nowhere else', (_label, fields, path) => {
    // Act
    const json = JSON.stringify({ ...base(), ...fields });
    const result = decode(json);
    const validation = validateEvent(catalog, JSON.parse(json));

    // Assess
    expect(issuesOf(result).map((i) => i.path)).toContain(path);
    for (const planted of [PHONE, EMAIL]) {
      expect(visible(result)).not.toContain(planted);
      expect(validation.ok ? '' : validation.error.message).not.toContain(planted);
      expect(validation.ok ? '' : JSON.stringify(validation.error.issues)).not.toContain(planted);
    }
  });

  it('quarantines personal data in a record key of a public field (it would leave as a key)', () => {
    const result = decode(JSON.stringify({ ...base(), counts: { [PHONE.slice(0, 11)]: 1 } }));
    expect(issuesOf(result)).toEqual([{ path: 'counts', code: 'personal_data' }]);
    expect(visible(result)).not.toContain(PHONE);
  });

  it('drops a __proto__ entry of a record without changing any prototype', () => {
    // Act
    const result = decode(withMember('labels', '{"__proto__":{"polluted":"yes"},"ward":"north"}'));

    // Assess
    expect(result.kind).toBe('valid');
    if (result.kind !== 'valid') return;
    const labels = result.event.data.labels as Record<string, unknown>;
    expect(labels).toEqual({ ward: 'north' });
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(labels.polluted).toBeUndefined();
  });

  it.each([
    ['a record key', 'labels', '{"ward\\ud800":"north"}'],
    ['a record value', 'labels', '{"ward":"no\\udc00rth"}'],
    ['an array element', 'tags', '["ok","t\\ud800"]'],
    ['a JSON value two levels down', 'answers', '{"q1":["\\udbff"]}'],
  ])('quarantines a lone surrogate in %s of a public field', (_label, field, raw) => {
    expect(issuesOf(decode(withMember(field, raw)))).toEqual([{ path: field, code: 'invalid_unicode' }]);
  });

  it('accepts surrogate pairs in the same places', () => {
    expect(decode(withMember('labels', '{"ward\\ud83d\\ude00":"n\\ud83d\\ude00"}')).kind).toBe('valid');
    expect(decode(withMember('answers', '{"q1":["\\ud83d\\ude00"]}')).kind).toBe('valid');
  });
});
