import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
  clinicbook,
  compileCatalog,
  defineCatalog,
  defineEvent,
  envelopeFields,
  publicField,
  TenantIdSchema,
  validateEvent,
} from '../src/index.ts';
import { booked } from './events.ts';

// Public enums and literals are checked for hidden characters once, at startup; validation then
// skips them (the hot path checks only the strings a sender chose).

const catalogWith = (fields: z.ZodRawShape) =>
  compileCatalog(
    defineCatalog({ name: 'kiosk', events: [defineEvent({ type: 'kiosk.used', schemaVersion: 1, fields })] }),
  );

describe('compileCatalog: public enums and literals', () => {
  it('fails at startup on an enum or literal value with a hidden character', () => {
    for (const schema of [
      z.enum(['web', 'app\u202E']),
      z.enum(['web', 'app\n']).optional(),
      z.literal('kiosk\u200B').nullable(),
      z.literal(['a', 'b\u{E0041}']),
    ]) {
      expect(() => catalogWith({ channel: publicField(schema) })).toThrow(CatalogError);
      expect(() => catalogWith({ channel: publicField(schema) })).toThrow(/kiosk\.used\.channel/);
    }
  });

  it('takes enums of any script', () => {
    const catalog = catalogWith({
      counter: publicField(z.enum(['কাউন্টার', 'র\u200D্যাব', 'खिड़की', 'نافذة', '\u{1F3E5}'])),
    });
    expect(validateEvent(catalog, { ...booked, type: 'kiosk.used', counter: 'র\u200D্যাব' }).ok).toBe(true);
  });

  it('marks the fields it checked, and only those', () => {
    // Prepare, Act
    const event = clinicbook.get('appointment.booked', 1);
    const catalog = catalogWith({
      plain: publicField(z.enum(['a', 'b'])),
      rewritten: publicField(z.enum(['a', 'b']).overwrite((v) => v)),
      defaulted: publicField(z.enum(['a', 'b']).default('a')),
      free: publicField(z.string().max(64)),
    });
    // Assess
    const marked = (fields: readonly { name: string; visibleBySchema?: true }[] | undefined) =>
      (fields ?? []).filter((f) => f.visibleBySchema).map((f) => f.name);
    expect(marked(event?.fields).sort()).toEqual(['channel', 'eventId', 'tenantId']);
    expect(marked(catalog.get('kiosk.used', 1)?.fields).sort()).toEqual(['eventId', 'plain', 'tenantId']);
  });
});

describe('the envelope ids skip the check because their formats exclude hidden characters', () => {
  const HIDDEN = ['\u0000', '\t', '\n', '\u001B', '\u007F', '\u0085', '\u202E', '\u2066', '\u200B', '\uFEFF'];

  it('refuses any hidden character anywhere in a tenant id or an event id (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('dhk-mirpur-01', 'kol-behala-02', booked.eventId),
        fc.constantFrom(...HIDDEN, '\u{E0041}', '\u200D', '\uFE0F'),
        fc.nat(),
        (id, hidden, at) => {
          const cut = at % (id.length + 1);
          const value = `${id.slice(0, cut)}${hidden}${id.slice(cut)}`;
          expect(TenantIdSchema.safeParse(value).success).toBe(false);
          expect(envelopeFields.eventId.safeParse(value).success).toBe(false);
        },
      ),
    );
  });
});
