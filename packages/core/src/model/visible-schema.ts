import type { z } from 'zod';
import { CatalogError } from '../errors.ts';
import { unsafeCharacterIn } from '../text.ts';

/**
 * Whether every string a public field's schema accepts is known at startup to show all it holds,
 * so that validation need not look for hidden characters in it on every event: an enum or a
 * literal without checks (through `.optional()` and `.nullable()`), whose values are checked
 * here, once. Any other schema (a free string, a format, a refinement or rewrite, a transform, a
 * default, a structure) answers false and is checked per event.
 *
 * Throws a {@link CatalogError} when an enum or literal itself holds a control, bidi, zero-width
 * or tag character: such a value could only ever be quarantined, so the catalog is wrong, and that
 * is a startup error like an unclassified field.
 *
 * @example visibleBySchema(z.enum(['web', 'app']), 'appointment.booked', 'channel') // true
 */
export function visibleBySchema(schema: z.ZodType, eventType: string, field: string): boolean {
  const values = closedValues(schema);
  if (!values) return false;
  for (const value of values) {
    if (typeof value === 'string' && unsafeCharacterIn(value) !== undefined)
      throw new CatalogError(
        `${eventType}.${field} lists a value with a control or invisible character`,
        eventType,
        field,
      );
  }
  return true;
}

/** The values of an enum or literal schema, looking through optional and nullable wrappers. */
function closedValues(schema: z.ZodType): readonly unknown[] | undefined {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.ZodType;
    entries?: Record<string, unknown>;
    values?: readonly unknown[];
    checks?: readonly unknown[];
  };
  // A check may rewrite the value (`.overwrite()`), so a checked schema is checked per event.
  if (def.checks && def.checks.length > 0) return undefined;
  if ((def.type === 'optional' || def.type === 'nullable') && def.innerType)
    return closedValues(def.innerType);
  if (def.type === 'enum' && def.entries) return Object.values(def.entries);
  if (def.type === 'literal' && def.values) return def.values;
  return undefined;
}
