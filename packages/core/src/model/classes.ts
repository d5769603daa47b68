import { z } from 'zod';

/** The four classes of field, and what leaves the region for each (design.md). */
export type FieldClass = 'identifier' | 'quasi' | 'sensitive' | 'public';

/** How an identifier is normalized before it is blind-indexed, so one person gets one token. */
export type NormalizerName = 'opaque' | 'phone' | 'email' | 'nationalId';

/**
 * How a quasi-identifier is generalized on the way out.
 * - `hour`: an ISO date-time becomes the UTC hour it falls in.
 * - `day`: an ISO date-time or date becomes its UTC date.
 * - `ageBand`: a date of birth becomes an age band (e.g. `30-39`) at the event's time.
 * - `bucket`: a number becomes the half-open range of `bounds` it falls in (e.g. `500-999`).
 */
export type Generalizer =
  | { kind: 'hour' }
  | { kind: 'day' }
  | { kind: 'ageBand'; widthYears: number; topYears: number }
  | { kind: 'bucket'; bounds: readonly number[] };

/** Classification of an identifier field. */
export interface IdentifierMeta {
  class: 'identifier';
  /** Vault kind; also picks the token prefix. e.g. `patient`, `phone`. */
  kind: string;
  /** `token`: leaves as a vault token. `link`: never leaves; linked in the vault to the event's subject. */
  egress: 'token' | 'link';
  normalizer: NormalizerName;
  /** The field whose token identifies the data subject (distinct counts, erasure). At most one per event. */
  subject?: boolean;
  /**
   * How the token is made. Default `random`.
   * - `random`: a vault entry holds a random token and the value, encrypted; the token can be
   *   detokenized, exported and erased in region.
   * - `keyed`: the token is a keyed HMAC of the normalized value under an in-region token key, and
   *   nothing is stored. It cannot be detokenized, exported or erased, and it stays the same for
   *   good. For high-volume identifiers of things rather than people (appointment, visit, invoice
   *   numbers): each new one costs no vault write. A subject field, a `link` identifier, and one
   *   kind made both ways in a catalog are catalog errors.
   */
  token?: TokenScheme;
}

/** How an identifier's token is made: see {@link IdentifierMeta.token}. */
export type TokenScheme = 'random' | 'keyed';

/** Classification of a quasi-identifier field. */
export interface QuasiMeta {
  class: 'quasi';
  generalize: Generalizer;
  /** Outbound attribute name of the generalized value (e.g. `ageBand`). */
  as: string;
  /** Group aggregates by the generalized value. Default: false. */
  dimension?: boolean;
}

/** Classification of a sensitive field: dropped, never leaves. */
export interface SensitiveMeta {
  class: 'sensitive';
}

/** Classification of a public field: leaves as it is. */
export interface PublicMeta {
  class: 'public';
  /** Group aggregates by this field. Default: false. */
  dimension?: boolean;
  /** Aggregate this numeric field (sum, min, max, histogram with these upper bounds). */
  metric?: { histogramBounds: readonly number[] };
}

/** A field's classification; the single source of truth for what leaves the region. */
export type FieldMeta = IdentifierMeta | QuasiMeta | SensitiveMeta | PublicMeta;

/** The registry that holds every classified field schema. Catalog compilation reads it. */
export const fieldClasses = z.registry<FieldMeta>();

/** Marks a schema as an identifier. @example identifier(z.string(), { kind: 'patient', egress: 'token', normalizer: 'opaque', subject: true }) */
export function identifier<S extends z.ZodType>(schema: S, meta: Omit<IdentifierMeta, 'class'>): S {
  return classify(schema, { class: 'identifier', ...meta });
}

/** Marks a schema as a quasi-identifier. @example quasi(z.iso.date(), { generalize: { kind: 'ageBand', widthYears: 10, topYears: 90 }, as: 'ageBand' }) */
export function quasi<S extends z.ZodType>(schema: S, meta: Omit<QuasiMeta, 'class'>): S {
  return classify(schema, { class: 'quasi', ...meta });
}

/** Marks a schema as sensitive (dropped). @example sensitive(z.string().max(5000)) */
export function sensitive<S extends z.ZodType>(schema: S): S {
  return classify(schema, { class: 'sensitive' });
}

/** Marks a schema as public (forwarded as is). @example publicField(z.enum(['web', 'app'])), { dimension: true }) */
export function publicField<S extends z.ZodType>(schema: S, meta: Omit<PublicMeta, 'class'> = {}): S {
  return classify(schema, { class: 'public', ...meta });
}

// Registering on a clone keeps one base schema reusable under different classes.
function classify<S extends z.ZodType>(schema: S, meta: FieldMeta): S {
  const copy = schema.clone() as S;
  fieldClasses.add(copy, meta);
  return copy;
}

/** The classification of a field schema, looking through `.optional()` / `.nullable()` wrappers. */
export function classOf(schema: z.ZodType): FieldMeta | undefined {
  let current: z.ZodType | undefined = schema;
  while (current) {
    const meta = fieldClasses.get(current);
    if (meta) return meta;
    const def = current._zod.def as { innerType?: z.ZodType };
    current = def.innerType;
  }
  return undefined;
}
