import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
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

describe('validateEvent', () => {
  it('accepts a valid event and strips unknown fields (default deny)', () => {
    const result = validateEvent(clinicbook, {
      ...booked,
      diagnosis: 'secret',
      nested: { email: 'a@b.com' },
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event.data).not.toHaveProperty('diagnosis');
      expect(result.event.data).not.toHaveProperty('nested');
    }
  });

  it('refuses an unknown type and an unknown version with the reason', () => {
    const unknown = validateEvent(clinicbook, { ...booked, type: 'patient.deleted' });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown_type' });
    const version = validateEvent(clinicbook, { ...booked, schemaVersion: 9 });
    expect(version).toMatchObject({ ok: false, reason: 'unknown_type' });
  });

  it('refuses non-objects', () => {
    for (const input of [null, 42, 'event', [booked]]) {
      expect(validateEvent(clinicbook, input)).toMatchObject({ ok: false, reason: 'not_an_object' });
    }
  });

  it('names the field and the reason and never echoes the value', () => {
    const secrets = {
      phone: '+88017-SECRET-99',
      dateOfBirth: '2099-01-01',
      email: 'leaky.person@example.org',
    };
    const input = {
      ...booked,
      type: 'patient.registered',
      ...secrets,
      name: 'Rahima Khatun',
      address: 'House 12, Road 5, Mirpur',
      gender: 'female',
      district: 'Dhaka',
    };
    const result = validateEvent(clinicbook, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['phone', 'dateOfBirth']));
    const text = JSON.stringify({ message: result.error.message, issues: result.error.issues });
    for (const value of [...Object.values(secrets), 'SECRET', 'Rahima']) expect(text).not.toContain(value);
  });

  it('reports schema errors by field without the value', () => {
    const result = validateEvent(clinicbook, { ...booked, waitDays: -4, channel: 'carrier-pigeon' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((i) => i.path).sort()).toEqual(['channel', 'waitDays']);
    expect(result.error.message).not.toContain('carrier-pigeon');
  });
});

describe('validateEvent: personal data in public fields', () => {
  it('refuses a public field that looks like personal data, naming the field and the rule only', () => {
    for (const [value, rule] of [
      ['01711234567', 'phone'],
      ['Rahim01711234567', 'phone'],
      ['rahim.canary@example.com', 'email'],
      ['rahim at example dot com', 'email'],
    ] as const) {
      // Act
      const result = validateEvent(clinicbook, registered(value));
      // Assess
      expect(result, value).toMatchObject({ ok: false, reason: 'invalid' });
      if (result.ok) continue;
      expect(result.error.issues).toEqual([
        expect.objectContaining({ path: 'district', code: 'personal_data' }),
      ]);
      expect(result.error.issues[0]?.message).toContain(rule);
      expect(JSON.stringify(result.error.issues) + result.error.message).not.toContain(value);
    }
    const department = validateEvent(clinicbook, { ...booked, department: 'call 0171 123 4567' });
    expect(department).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'department', code: 'personal_data' }] },
    });
  });

  it('accepts ordinary labels, the event id and numbers in public fields', () => {
    for (const district of ['Dhaka', 'North 24 Parganas', "Cox's Bazar", 'Ward 12']) {
      expect(validateEvent(clinicbook, registered(district)).ok, district).toBe(true);
    }
    expect(validateEvent(clinicbook, { ...booked, waitDays: 365 }).ok).toBe(true);
  });

  it('reads a public number as digits', () => {
    // Prepare: a team's catalog with a numeric public field.
    const catalog = compileCatalog(
      defineCatalog({
        name: 'billing',
        events: [
          defineEvent({
            type: 'bill.paid',
            schemaVersion: 1,
            fields: { amount: publicField(z.number().int().nonnegative()) },
          }),
        ],
      }),
    );
    const bill = (amount: number) => ({ ...booked, type: 'bill.paid', amount });
    // Act, Assess: a Bangladeshi mobile without its 0 is ten digits.
    expect(validateEvent(catalog, bill(1711234567))).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'amount', code: 'personal_data' }] },
    });
    expect(validateEvent(catalog, bill(4500)).ok).toBe(true);
  });

  it('never puts an input key in an issue path or message', () => {
    // Prepare: a record field, whose keys are input, and a strict nested object (dropped fields:
    // a public one may not be a structure, but a dropped one is still validated).
    const catalog = compileCatalog(
      defineCatalog({
        name: 'survey',
        events: [
          defineEvent({
            type: 'survey.answered',
            schemaVersion: 1,
            fields: {
              scores: sensitive(z.record(z.string().max(32), z.number().int().max(10))),
              meta: sensitive(z.strictObject({ channel: z.string() })),
            },
          }),
        ],
      }),
    );
    const input = {
      ...booked,
      type: 'survey.answered',
      scores: { '01711234567': 'x', Rahim: 11 },
      meta: { channel: 'app', 'rahim@example.com': true },
    };
    // Act
    const result = validateEvent(catalog, input);
    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((i) => i.path).sort()).toEqual(['meta', 'scores.?', 'scores.?']);
    const text = JSON.stringify(result.error.issues) + result.error.message;
    for (const key of ['01711234567', 'Rahim', 'rahim@example.com']) expect(text).not.toContain(key);
  });
});

describe('compileCatalog', () => {
  it('fails at startup on an unclassified field', () => {
    const def = defineCatalog({
      name: 'payroll',
      events: [
        defineEvent({
          type: 'salary.paid',
          schemaVersion: 1,
          fields: { employeeId: z.string(), amount: z.number() },
        }),
      ],
    });
    expect(() => compileCatalog(def)).toThrow(CatalogError);
    expect(() => compileCatalog(def)).toThrow(/salary\.paid\.employeeId has no classification/);
  });

  it('lets a team add its own event types without touching the engine', () => {
    const payroll = compileCatalog(
      defineCatalog({
        name: 'payroll',
        events: [
          defineEvent({
            type: 'salary.paid',
            schemaVersion: 2,
            fields: {
              employeeId: identifier(z.string(), {
                kind: 'employee',
                egress: 'token',
                normalizer: 'opaque',
                subject: true,
              }),
              grade: publicField(z.enum(['A', 'B']), { dimension: true }),
            },
          }),
        ],
      }),
    );
    expect(payroll.latestVersion('salary.paid')).toBe(2);
    const result = validateEvent(payroll, {
      ...booked,
      type: 'salary.paid',
      schemaVersion: 2,
      employeeId: 'E1',
      grade: 'A',
    });
    expect(result.ok).toBe(true);
  });

  it('refuses two subject fields and a duplicate version', () => {
    const subject = () =>
      identifier(z.string(), { kind: 'x', egress: 'token', normalizer: 'opaque', subject: true });
    expect(() =>
      compileCatalog(
        defineCatalog({
          name: 'bad',
          events: [defineEvent({ type: 'a', schemaVersion: 1, fields: { a: subject(), b: subject() } })],
        }),
      ),
    ).toThrow(/more than one subject/);
    const event = defineEvent({ type: 'a', schemaVersion: 1, fields: {} });
    expect(() => compileCatalog(defineCatalog({ name: 'bad', events: [event, event] }))).toThrow(/duplicate/);
  });
});
