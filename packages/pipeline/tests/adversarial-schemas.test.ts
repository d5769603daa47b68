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
// records keyed by the sender, arrays and nested objects. A public field may not be one of them (it
// could never leave: the catalog does not compile), but a dropped one is still validated. The engine
// must stay total (a value back, never a throw) and keep keys chosen by the sender out of issue paths.

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
    channel: publicField(z.enum(['web', 'app'])).optional(),
    tags: sensitive(z.array(z.string().max(32)).max(10)).optional(),
    counts: sensitive(z.record(z.string().max(16), z.number())).optional(),
    labels: sensitive(z.record(z.string(), z.string().max(32))).optional(),
    answers: sensitive(z.json()).optional(),
    tree: sensitive(TreeSchema).optional(),
  },
});
const catalog = compileCatalog(defineCatalog({ name: 'survey', events: [survey] }));

describe('a catalog with a structure in a public field', () => {
  it.each([
    ['an array', z.array(z.string().max(32)).max(10)],
    ['a record', z.record(z.string().max(16), z.number())],
    ['JSON', z.json()],
    ['a recursive tree', TreeSchema],
  ])('does not compile with %s: it could never leave', (_label, schema) => {
    const event = defineEvent({
      type: 'survey.answered',
      schemaVersion: 1,
      fields: { answers: publicField(schema) },
    });
    expect(() => compileCatalog(defineCatalog({ name: 'survey', events: [event] }))).toThrow(
      /survey\.answered\.answers: /,
    );
  });
});

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
    ['a z.json() field, 10,000-deep arrays', 'answers', deepArray(10_000)],
    ['a z.json() field, 100,000-deep objects', 'answers', deepObject(100_000)],
    ['a z.lazy() tree, 20,000 levels', 'tree', deepTree(20_000)],
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

  it('takes a shallow tree', () => {
    expect(decode(withMember('tree', deepTree(5))).kind).toBe('valid');
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
});
