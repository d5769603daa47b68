import { z } from 'zod';
import { publicField, quasi } from './classes.ts';

/** The most digits a tenant id may hold: fewer than the shortest phone number (8) or national id. */
const MAX_TENANT_ID_DIGITS = 6;

/** A slug: lower-case words and numbers joined by single hyphens. */
const TENANT_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A random (version 4, RFC variant) UUID in lower case, as tenant ids minted by a system often are. */
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Tenant (clinic, branch, office) ids: short, plain, safe to forward and to use as a metric
 * dimension. Either a slug (`dhk-mirpur-01`: lower-case words and numbers joined by single
 * hyphens, at most 64 characters and at most 6 digits in all) or a random UUID in lower case. The
 * id is forwarded verbatim in every record and cell, so it must not be able to carry personal data:
 * no '@', '.' or '_' (no address or domain fits), and in a slug too few digits for any phone
 * number, national id or card number, however they are spelled. A UUID's digits are random; one
 * forged to hold a number is the same deliberate channel as a forged event id (see
 * docs/security.md).
 *
 * @example TenantIdSchema.parse('kol-behala-02')
 */
export const TenantIdSchema = z
  .string()
  .max(64)
  .refine(
    (id) =>
      RANDOM_UUID.test(id) || (TENANT_SLUG.test(id) && id.replace(/\D/g, '').length <= MAX_TENANT_ID_DIGITS),
    `lower-case words and digits joined by single hyphens with at most ${MAX_TENANT_ID_DIGITS} digits, or a random UUID in lower case`,
  );

/**
 * What `eventId` must be: a random (version 4) UUID. It crosses the border as it is, so it must be
 * made of nothing: version 1 and 6 UUIDs carry the sender's MAC address and the exact time, 7 the
 * exact time (which the pipeline otherwise coarsens to the hour), 3 and 5 a hash of a name that may
 * be a phone number or a patient id (and is then found again by hashing every candidate), 8
 * anything at all.
 */
export const EVENT_ID_RULE =
  'must be a random (version 4) UUID: other versions carry a device address, the exact time or a hash of a name';

/**
 * The fields every event carries, classified like any other field. `eventId` is a random UUID
 * made by the app (not personal data): it becomes the outbound record id that the control plane
 * dedupes on, so it is kept in lower case (one event, one id, however the app spelled it).
 */
export const envelopeFields = {
  eventId: publicField(z.uuidv4({ error: EVENT_ID_RULE }).toLowerCase()),
  occurredAt: quasi(z.iso.datetime({ offset: true }), { generalize: { kind: 'hour' }, as: 'occurredHour' }),
  tenantId: publicField(TenantIdSchema, { dimension: true }),
};

/**
 * Envelope fields whose formats admit only ASCII letters, digits and hyphens (a UUID, a tenant
 * slug), so never a control or invisible character: validation skips that check for them.
 */
export const VISIBLE_ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['eventId', 'tenantId']);

/** Names of the envelope fields, plus the two the engine adds per event type. */
export const ENVELOPE_FIELD_NAMES = ['eventId', 'type', 'occurredAt', 'tenantId', 'schemaVersion'] as const;
