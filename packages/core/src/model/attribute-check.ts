import type { z } from 'zod';
import { CatalogError } from '../errors.ts';
import { MAX_ATTRIBUTE_TEXT } from './outbound.ts';

// Fixed lengths of the string formats a public field may use without a `.max()`.
const FORMAT_LENGTHS: Readonly<Record<string, number>> = { uuid: 36, guid: 36, date: 10, ulid: 26 };

interface SchemaDef {
  type: string;
  format?: string;
  innerType?: z.ZodType;
  options?: readonly z.ZodType[];
  entries?: Record<string, unknown>;
  values?: readonly unknown[];
  checks?: readonly { _zod: { def: { check: string; maximum?: number; length?: number } } }[];
}

/**
 * Refuses, when the catalog compiles, a public field that validation would accept but the exit
 * never (its name is checked with the other attribute names, in `compileCatalog`): an attribute's
 * value is a string of at most {@link MAX_ATTRIBUTE_TEXT} characters, a number or a boolean (see
 * `OutboundRecordSchema`). A field whose schema accepts anything else (`null`, an array, an object,
 * JSON, a date, a longer or unbounded string) or rewrites what it accepts (a transform, a pipe,
 * `.catch()`: the exit checks the stored value against the same schema again) would be counted in
 * region and then blocked at the border on every event, so the catalog is wrong, and that is a
 * startup error. Throws {@link CatalogError} naming the field and what to write instead.
 *
 * @example checkPublicAttribute('visit.booked', 'channel', z.enum(['web', 'app'])) // passes
 */
export function checkPublicAttribute(type: string, field: string, schema: z.ZodType): void {
  const problem = problemOf(schema) ?? unstableOn(schema);
  if (problem !== undefined) throw new CatalogError(`${type}.${field}: ${problem}`, type, field);
}

// Inputs a public schema is tried on when the catalog compiles: absent (its default), texts of the
// lengths where bounds sit, in both cases, with spaces and that grow under case mapping, numbers
// and booleans.
const PROBES: readonly unknown[] = [
  undefined,
  ...[0, 1, 2, 4, 8, 16, 32, 64, 128, 255, 256, 257, 1_000].map((n) => 'a'.repeat(n)),
  'Ab',
  '  Ab  ',
  'AB cd',
  'ঢাকা',
  // Texts that grow when their case or form changes ('ß' upper-cased is 'SS', 'İ' lower-cased two
  // code units, 'ﷺ' under NFKC eighteen), at the lengths where bounds sit.
  ...[1, 2, 3, 4, 8, 16, 32, 64, 128, 256].flatMap((n) => ['ß', 'İ', 'ﷺ'].map((c) => c.repeat(n))),
  ...[0, 1, -1, 0.5, 2, 8, 10, 100, 1_000_000, -1_000_000].flatMap((n) => [n, String(n)]),
  true,
  false,
  'true',
];

/**
 * What the exit does to a stored public value, tried on {@link PROBES}: a value the schema accepts
 * must come out as an attribute (text of at most 256, a finite number, a boolean, or nothing) that
 * the same schema accepts again unchanged. A default outside its own schema (`.max(8).default('unspecified')`,
 * `.default(Infinity)`) or an `.overwrite()` that is not idempotent (`s => s + '!'`) fails here,
 * where the structure alone looks sound.
 */
function unstableOn(schema: z.ZodType): string | undefined {
  for (const probe of PROBES) {
    const first = schema.safeParse(probe);
    if (!first.success || first.data === undefined) continue;
    const shown =
      probe === undefined
        ? 'its default'
        : typeof probe === 'string' && probe.length > 16
          ? `a text of ${probe.length} characters`
          : JSON.stringify(probe);
    const value: unknown = first.data;
    const leaves =
      (typeof value === 'string' && value.length <= MAX_ATTRIBUTE_TEXT) ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      typeof value === 'boolean';
    if (!leaves) return `${shown} is stored as a value that cannot leave as an attribute`;
    const again = schema.safeParse(value);
    if (!again.success || !Object.is(again.data, value))
      return `${shown} is stored as a value its own schema does not give back unchanged (a default outside the schema, or an .overwrite() that is not idempotent): the exit checks the stored value against the same schema`;
  }
  return undefined;
}

/** Why a value of `schema` could not leave as an attribute, or `undefined` when every value can. */
function problemOf(schema: z.ZodType): string | undefined {
  const def = schema._zod.def as SchemaDef;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      // An absent public field leaves no attribute; a default is a value of the inner schema.
      return def.innerType ? problemOf(def.innerType) : `a '${def.type}' without an inner schema`;
    case 'nullable':
      return 'null cannot leave as an attribute: use .optional() instead of .nullable()';
    case 'number':
    case 'boolean':
      return undefined;
    case 'string':
      return textProblem(def);
    case 'enum':
      return valuesProblem(Object.values(def.entries ?? {}));
    case 'literal':
      return valuesProblem(def.values ?? []);
    case 'union': {
      for (const option of def.options ?? []) {
        const problem = problemOf(option);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'pipe':
    case 'transform':
    case 'catch':
      return `a public field cannot rewrite its value (${def.type}): the exit checks the stored value against the same schema; send the value as it should leave`;
    default:
      return `a '${def.type}' cannot leave as an attribute: a public field is a string of at most ${MAX_ATTRIBUTE_TEXT} characters, a number or a boolean (drop structures with sensitive(), or flatten them into fields)`;
  }
}

function textProblem(def: SchemaDef): string | undefined {
  let longest = def.format !== undefined ? FORMAT_LENGTHS[def.format] : undefined;
  for (const check of def.checks ?? []) {
    const { check: kind, maximum, length } = check._zod.def;
    const bound = kind === 'max_length' ? maximum : kind === 'length_equals' ? length : undefined;
    if (bound !== undefined && (longest === undefined || bound < longest)) longest = bound;
  }
  if (longest === undefined || longest > MAX_ATTRIBUTE_TEXT)
    return `public text is at most ${MAX_ATTRIBUTE_TEXT} characters: declare .max(n) with n <= ${MAX_ATTRIBUTE_TEXT}`;
  return undefined;
}

function valuesProblem(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'number' || typeof value === 'boolean') continue;
    if (typeof value === 'string' && value.length <= MAX_ATTRIBUTE_TEXT) continue;
    return typeof value === 'string'
      ? `a listed value is longer than ${MAX_ATTRIBUTE_TEXT} characters`
      : `a listed value of type ${value === null ? 'null' : typeof value} cannot leave as an attribute`;
  }
  return undefined;
}
