import { z } from 'zod';
import { publicField, quasi } from './classes.ts';

/** Tenant (clinic, branch, office) ids: short, plain, safe to forward and to use as a metric dimension. */
export const TenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - only, at most 64');

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
