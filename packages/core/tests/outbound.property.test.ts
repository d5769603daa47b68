import { clinicbookEvent, leafValues } from '@residency/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clinicbook,
  createInMemoryTokenPort,
  normalizeIdentifier,
  type OutboundRecord,
  OutboundRecordSchema,
  outboundRecordsOf,
  validateEvent,
} from '../src/index.ts';

const extraFields = fc.dictionary(
  // Prefixed so an extra key can never be a name the outbound format itself uses.
  fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x_${k}`),
  fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9@.+ ]{8,30}$/),
    fc.integer(),
    fc.constant('leak.me@example.org'),
    fc.constant('+8801711234567'),
  ),
  { maxKeys: 4 },
);

describe('toOutbound (property)', () => {
  it('never carries an identifier, sensitive value, exact quasi value or unknown field of the input', async () => {
    const port = createInMemoryTokenPort();
    await fc.assert(
      fc.asyncProperty(clinicbookEvent, extraFields, async (event, extra) => {
        // Prepare
        const input = { ...extra, ...event };
        const validated = validateEvent(clinicbook, input);
        expect(validated.ok).toBe(true);
        if (!validated.ok) return;
        const { def } = validated.event;

        // Act
        const [out] = (await outboundRecordsOf(port, [validated.event])) as [OutboundRecord];

        // Assess: the strict schemas hold
        expect(def.outboundSchema.safeParse(out).success).toBe(true);
        expect(OutboundRecordSchema.safeParse(out).success).toBe(true);
        const json = JSON.stringify(out);
        const { keys } = leafValues(out);
        // Envelope values (schemaVersion 1, the tenant) are public by definition; exact-match checks
        // look at what the classification produced: tokens, subject and attributes.
        const { leaves } = leafValues({
          tokens: out.tokens,
          attributes: out.attributes,
          subject: out.subject,
        });
        const forbidden: unknown[] = [];
        for (const field of def.fields) {
          const value = (input as Record<string, unknown>)[field.name];
          if (value === undefined) continue;
          if (field.meta.class === 'identifier') {
            const normalized = normalizeIdentifier(field.meta.normalizer, String(value), { country: 'BD' });
            forbidden.push(value, normalized.ok ? normalized.value : value);
          }
          if (field.meta.class === 'sensitive' || field.meta.class === 'quasi') forbidden.push(value);
        }
        for (const value of forbidden) {
          // No leaf equals it; long values are not contained anywhere either. (Short values such as
          // four card digits can occur by chance inside a year, so they are checked as whole leaves.)
          expect(leaves).not.toContain(value);
          expect(leaves).not.toContain(String(value));
          if (String(value).length >= 6) expect(json).not.toContain(String(value));
        }
        for (const [key, value] of Object.entries(extra)) {
          expect(keys).not.toContain(key);
          if (String(value).length >= 6) expect(json).not.toContain(String(value));
        }
      }),
      { numRuns: 300 },
    );
  });
});
