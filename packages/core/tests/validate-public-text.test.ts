import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  clinicbook,
  compileCatalog,
  defineCatalog,
  defineEvent,
  identifier,
  publicField,
  sensitive,
  validateEvent,
} from '../src/index.ts';
import { booked, registered } from './events.ts';
import { flag, HIDDEN } from './hidden-characters.ts';

// A public value leaves the region as it is: into the control plane's tables, logs, dashboards and
// aggregate cells. A character a reviewer cannot see (zero-width, tag), one that reorders what they
// see (bidi), or one that forges a log line or drives a terminal (CR, LF, ESC) must stop at
// validation, with its own reason, and go to the sealed quarantine.

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';

/** Places the characters at the start, inside and at the end of a plain label. */
const placements = (hidden: string): string[] => [`${hidden}ENT`, `card${hidden}iology`, `Dhaka${hidden}`];

function expectRefused(result: ReturnType<typeof validateEvent>, path: string, value: string): void {
  expect(result, JSON.stringify(value)).toMatchObject({ ok: false, reason: 'invalid' });
  if (result.ok) return;
  expect(result.error.issues).toContainEqual(expect.objectContaining({ path, code: 'control_character' }));
  expect(result.error.message + JSON.stringify(result.error.issues)).not.toContain(value);
}

describe('validateEvent: hidden characters in ClinicBook public fields', () => {
  it.each(HIDDEN)('refuses %s in department and district, anywhere in the value', (_name, hidden) => {
    for (const value of placements(hidden)) {
      // Act
      const inDepartment = validateEvent(clinicbook, { ...booked, department: value });
      const inDistrict = validateEvent(clinicbook, registered(value));
      // Assess
      expectRefused(inDepartment, 'department', value);
      expectRefused(inDistrict, 'district', value);
    }
  });

  it('refuses a value that is only a hidden character', () => {
    for (const value of ['\u200B', '\uFEFF', '\u2066\u2069', '\u{E0041}', '\t']) {
      expectRefused(validateEvent(clinicbook, { ...booked, department: value }), 'department', value);
    }
  });

  it('refuses them in the envelope public fields too', () => {
    for (const [field, value] of [
      ['tenantId', 'dhk-mirpur-01\n'],
      ['tenantId', '\u202Edhk-mirpur-01'],
      ['eventId', `${booked.eventId}\u200B`],
    ] as const) {
      expect(validateEvent(clinicbook, { ...booked, [field]: value }), field).toMatchObject({ ok: false });
    }
  });

  it('forges no log line: the issue message is one line and names no value', () => {
    const value = 'cardiology\r\n2026-11-27T10:15:00Z INFO forwarded 1 record';
    const result = validateEvent(clinicbook, { ...booked, department: value });
    expectRefused(result, 'department', value);
    if (result.ok) return;
    expect(result.error.message).not.toMatch(/[\r\n]/);
  });

  it('reports personal data behind the hidden characters too', () => {
    // Prepare: a phone number split by zero-width spaces (the scanner folds them away).
    const value = ['0', '1', '7', '1', '1', '2', '3', '4', '5', '6', '7'].join('\u200B');
    // Act
    const result = validateEvent(clinicbook, { ...booked, department: value });
    // Assess: both reasons, so the quarantine says personal data was involved
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['department', 'control_character'],
      ['department', 'personal_data'],
    ]);
  });

  it('still refuses a lone surrogate as invalid_unicode', () => {
    const result = validateEvent(clinicbook, { ...booked, department: 'card\uD800iology' });
    expect(result).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'department', code: 'invalid_unicode' }] },
    });
  });

  it('refuses any hidden character inserted anywhere in an accepted label (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('cardiology', 'হৃদরোগ', 'बाल रोग', 'طب الأطفال', 'ENT 🫀'),
        // Joiners are allowed between two letters of a script that uses them: tested apart.
        fc.constantFrom(...HIDDEN.map(([, hidden]) => hidden).filter((h) => !/^[\u200C\u200D]$/.test(h))),
        fc.nat(),
        (label, hidden, at) => {
          const cut = at % (label.length + 1);
          const value = `${label.slice(0, cut)}${hidden}${label.slice(cut)}`;
          // A cut inside a surrogate pair makes two lone surrogates: invalid_unicode, still refused.
          const result = validateEvent(clinicbook, { ...booked, department: value });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('validateEvent: ordinary multilingual labels stay allowed', () => {
  it.each([
    ['Latin', "Cox's Bazar"],
    ['Latin with accents', 'Café Médical'],
    ['Bengali', 'ঢাকা'],
    ['Bengali with Bengali digits', 'উত্তর ২৪ পরগনা'],
    ['Bengali with a zero-width joiner (RAB)', 'র\u200D্যাব'],
    ['Devanagari', 'दिल्ली'],
    ['Devanagari with a half form by ZWJ', 'क्\u200Dष'],
    ['Devanagari with ZWNJ', 'क्\u200Cष'],
    ['Arabic', 'القاهرة'],
    ['Urdu', 'کراچی'],
    ['Persian with a zero-width non-joiner', 'بیمارستان\u200Cها'],
    ['Chakma', '𑄌𑄋𑄴𑄟𑄳𑄦'],
    ['Chinese', '心脏科'],
    ['a CJK ideograph with an ideographic variation selector', '葛\u{E0100}城'],
    ['an emoji', 'cardiology 🫀'],
    ['an emoji with the emoji presentation selector', 'love \u2764\uFE0F'],
    ['an emoji with a skin tone', 'ok 👍🏽'],
    ['a ZWJ emoji family', `family ${FAMILY}`],
    ['a ZWJ emoji with selectors', 'pride \u{1F3F3}\uFE0F\u200D\u{1F308}'],
    ['a keycap emoji', 'floor 1\uFE0F\u20E3'],
    ['the Scotland flag (a tag sequence)', `ward ${flag('gbsct')}`],
    ['the Wales and England flags', `${flag('gbwls')} ${flag('gbeng')}`],
    ['a no-break space (visible as a space)', 'Ward\u00A012'],
  ])('accepts %s', (_name, value) => {
    const inDepartment = validateEvent(clinicbook, { ...booked, department: value });
    expect(inDepartment.ok ? 'ok' : inDepartment.error.issues).toBe('ok');
    const inDistrict = validateEvent(clinicbook, registered(value));
    expect(inDistrict.ok ? 'ok' : inDistrict.error.issues).toBe('ok');
  });

  it('refuses what only looks like a flag: tags after another emoji, or spelling something else', () => {
    for (const value of [
      flag('gbsct').replace('\u{1F3F4}', '\u{1F3F3}'),
      flag('gbxxx'),
      flag('gbsct').replace('\u{E007F}', ''),
      `ward ${flag('gbsct')}\u{E007F}`,
      `${flag('gbsct')}\u{E0041}`,
    ]) {
      expectRefused(validateEvent(clinicbook, { ...booked, department: value }), 'department', value);
    }
  });

  it('refuses joiners and selectors where no script or emoji needs them', () => {
    for (const value of [
      'a\u200Db',
      '\u200Dঢাকা',
      'ঢাকা\u200C',
      'ঢা\u200D\u200Dকা',
      '\uFE0Fcardiology',
      'a\uFE0Fb',
    ]) {
      expectRefused(validateEvent(clinicbook, { ...booked, department: value }), 'department', value);
    }
  });
});

describe('validateEvent: hidden characters in a catalog a team defines', () => {
  const catalog = compileCatalog(
    defineCatalog({
      name: 'counter',
      events: [
        defineEvent({
          type: 'ticket.issued',
          schemaVersion: 1,
          fields: {
            citizenId: identifier(z.string().min(1).max(64), {
              kind: 'citizen',
              egress: 'token',
              normalizer: 'opaque',
              subject: true,
            }),
            office: publicField(z.string().max(64), { dimension: true }),
            counter: publicField(z.string().max(64)).optional(),
            queue: publicField(z.union([z.literal(0), z.string().max(64)])).optional(),
            remark: sensitive(z.string().max(500)).optional(),
          },
        }),
      ],
    }),
  );
  const ticket = (fields: Record<string, unknown>) => ({
    ...booked,
    type: 'ticket.issued',
    citizenId: 'C-0001',
    office: 'Barasat',
    ...fields,
  });

  it('accepts clean values in every public shape', () => {
    const result = validateEvent(
      catalog,
      ticket({
        counter: 'কাউন্টার ৩',
        queue: 'বয়স্ক',
        remark: 'free text\twith\ttabs\nand lines is dropped, so it may hold them',
      }),
    );
    expect(result.ok ? 'ok' : result.error.issues).toBe('ok');
  });

  it.each(HIDDEN)('refuses %s in a string and in a union with text', (_n, h) => {
    for (const [path, fields] of [
      ['office', { office: `Bara${h}sat` }],
      ['counter', { counter: `${h}3` }],
      ['queue', { queue: `old${h}` }],
    ] as const) {
      expectRefused(validateEvent(catalog, ticket(fields)), path, h);
    }
  });

  it('reports a lone surrogate anywhere in a value as invalid_unicode, even after a control', () => {
    const result = validateEvent(catalog, ticket({ counter: 'x\ty\uD800' }));
    expect(result).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'counter', code: 'invalid_unicode' }] },
    });
    if (!result.ok) expect(result.error.issues).toHaveLength(1);
  });

  it('does not look at sensitive fields, which never leave', () => {
    expect(validateEvent(catalog, ticket({ remark: 'line one\r\nline two\u202E' })).ok).toBe(true);
  });
});
