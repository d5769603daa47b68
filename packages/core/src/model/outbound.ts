import { z } from 'zod';
import { unsafeCharacterIn } from '../text.ts';
import type { CompiledEvent } from './catalog.ts';
import { TenantIdSchema } from './envelope.ts';
import { TokenSchema } from './tokens.ts';

/** Version tag of the outbound record format. Bump on a breaking change; consumers switch on it. */
export const OUTBOUND_SCHEMA_ID = 'residency.outbound.v1';

/** What an outbound attribute may be named: a public field's name, or a quasi's `as`. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const AttributeNameSchema = z.string().regex(ATTRIBUTE_NAME);

/** Longest text an outbound attribute holds, in UTF-16 units. */
export const MAX_ATTRIBUTE_TEXT = 256;

/**
 * A string that shows all it holds, of at most `maxLength` UTF-16 units: no control, bidi,
 * zero-width or tag character, no lone surrogate (see `unsafeCharacterIn`). Validation refuses
 * these in public fields; the exit checks again, so that a value from any other path cannot cross.
 */
export const visibleText = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    .refine((text) => unsafeCharacterIn(text) === undefined, 'contains a control or invisible character');

/**
 * A number an attribute may hold: finite, at most 2^53 - 1 in magnitude (the control plane's
 * DynamoDB client refuses larger ones, and one such record would stop its shard), and zero or at
 * least 1e-130 in magnitude (DynamoDB's smallest).
 */
export function isAttributeNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return (
    Number.isFinite(value) && magnitude <= Number.MAX_SAFE_INTEGER && (magnitude === 0 || magnitude >= 1e-130)
  );
}

const AttributeValueSchema = z.union([
  visibleText(MAX_ATTRIBUTE_TEXT),
  z
    .number()
    .refine(isAttributeNumber, 'a number of at most 2^53 - 1 and, unless 0, at least 1e-130 in magnitude'),
  z.boolean(),
]);

/**
 * The only record shape allowed to cross the border, for any catalog (strict: unknown keys are
 * an error, not stripped). The forwarder also checks each record against its event type's own
 * derived schema ({@link CompiledEvent.outboundSchema}), which is stricter still.
 */
export const OutboundRecordSchema = z.strictObject({
  schema: z.literal(OUTBOUND_SCHEMA_ID),
  /**
   * Derived in region from the event's `eventId` with a keyed MAC (a version 8 UUID, see
   * `formatRecordId`): stable across redelivery, so the control plane dedupes on it, and free of
   * anything the app chose.
   */
  recordId: z.uuid({ version: 'v8' }),
  catalog: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
  schemaVersion: z.number().int().positive(),
  tenantId: TenantIdSchema,
  /** The event time generalized to its UTC hour. */
  occurredHour: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z$/),
  /** Token of the data subject (the patient), when the event has one. */
  subject: TokenSchema.optional(),
  /** Tokens of the identifiers analytics needs, by field name. */
  tokens: z.record(AttributeNameSchema, TokenSchema),
  /** Public values and generalized quasi-identifiers, by field name. */
  attributes: z.record(AttributeNameSchema, AttributeValueSchema),
});

/** See {@link OutboundRecordSchema}. */
export type OutboundRecord = z.infer<typeof OutboundRecordSchema>;

/**
 * Derives an event type's strict outbound schema from its classifications: identifiers with
 * `egress: 'token'` become tokens, quasi fields their generalized string, public fields keep their
 * own schema, sensitive and link-only fields do not exist.
 */
export function buildOutboundSchema(event: Omit<CompiledEvent, 'outboundSchema'>): z.ZodObject {
  const tokens: Record<string, z.ZodType> = {};
  const attributes: Record<string, z.ZodType> = {};
  for (const field of event.fields) {
    const optional = field.schema.safeParse(undefined).success;
    const meta = field.meta;
    if (meta.class === 'identifier' && meta.egress === 'token') {
      tokens[field.name] = optional ? TokenSchema.optional() : TokenSchema;
    } else if (meta.class === 'quasi' && meta.as !== 'occurredHour') {
      attributes[meta.as] = optional ? z.string().max(32).optional() : z.string().max(32);
    } else if (meta.class === 'public' && !['eventId', 'tenantId'].includes(field.name)) {
      attributes[field.name] = field.schema;
    }
  }
  // A record has a subject exactly when its subject field's token is there (see the refinement): an
  // event type without one (or whose subject never leaves) has none, and the key is absent, which
  // `z.undefined()` alone would refuse.
  const subjectField =
    event.subjectField !== undefined && event.subjectField in tokens ? event.subjectField : undefined;
  return OutboundRecordSchema.extend({
    catalog: z.literal(event.catalog),
    type: z.literal(event.type),
    schemaVersion: z.literal(event.schemaVersion),
    subject: subjectField === undefined ? z.never().optional() : (tokens[subjectField] as z.ZodType),
    tokens: z.strictObject(tokens),
    attributes: z.strictObject(attributes),
  }).superRefine((record, ctx) => {
    // The subject is the subject field's token, present exactly when it is: any other token there
    // would count, export and erase the record as another person's.
    if (subjectField === undefined) return;
    if (record.subject !== (record.tokens as Record<string, unknown>)[subjectField]) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: `must be the token of ${subjectField}, and present exactly when it is`,
      });
    }
  });
}
