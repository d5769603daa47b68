import { z } from 'zod';
import { publicField, quasi } from './classes.ts';

/** The most digits a tenant id may hold: fewer than the shortest phone number (8) or national id. */
const MAX_TENANT_ID_DIGITS = 6;

/**
 * Tenant (clinic, branch, office) ids: short, plain, safe to forward and to use as a metric
 * dimension. Lower-case words and numbers joined by single hyphens (`dhk-mirpur-01`), at most 64
 * characters and at most 6 digits in all. The id is forwarded verbatim in every record and cell,
 * so it must not be able to carry personal data: no '@', '.' or '_' (no address or domain fits),
 * and too few digits for any phone number, national id or card number, however they are spelled.
 *
 * @example TenantIdSchema.parse('kol-behala-02')
 */
export const TenantIdSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters and digits, words joined by single hyphens')
  .refine(
    (id) => id.replace(/\D/g, '').length <= MAX_TENANT_ID_DIGITS,
    `at most ${MAX_TENANT_ID_DIGITS} digits`,
  );

/**
 * The fields every event carries, classified like any other field. `eventId` is a random UUID
 * made by the app (not personal data): it becomes the outbound record id that the control plane
 * dedupes on.
 */
export const envelopeFields = {
  eventId: publicField(z.uuid()),
  occurredAt: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'occurredHour' }),
  tenantId: publicField(TenantIdSchema, { dimension: true }),
};

/** Names of the envelope fields, plus the two the engine adds per event type. */
export const ENVELOPE_FIELD_NAMES = ['eventId', 'type', 'occurredAt', 'tenantId', 'schemaVersion'] as const;
