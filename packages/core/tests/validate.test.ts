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
  validateEvent,
} from '../src/index.ts';
import { booked } from './events.ts';

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
