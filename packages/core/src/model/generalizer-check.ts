import type { z } from 'zod';
import { CatalogError } from '../errors.ts';
import type { Generalizer } from './classes.ts';

/** Narrowest age band the catalog accepts: a band of one year is an exact age. */
export const MIN_AGE_BAND_YEARS = 2;
/** Oldest top band the catalog accepts (ages are refused above 130). */
export const MAX_TOP_YEARS = 130;
/** Most bounds of a bucket generalizer: a hundred thousand narrow buckets are exact values. */
export const MAX_BUCKET_BOUNDS = 64;

/**
 * Refuses, when the catalog compiles, a generalizer that would not generalize, or that no value of
 * its field could ever pass: an age band of under two years (an exact age), a top band of none, a
 * width that is not a whole number (`NaN-NaN`, `40-29`), bucket bounds that are not finite and
 * strictly increasing (`[1000, 10, 500]` labels 5,000 as `500+`) or too many, and a generalizer on a
 * schema of another type (`hour` of a number, `bucket` of a string). A free string is read per
 * event, as an ISO date or date-time only (`isoTimeMillis`). Throws {@link CatalogError}.
 */
export function checkGeneralizer(type: string, field: string, g: Generalizer, schema: z.ZodType): void {
  const fail = (why: string): never => {
    throw new CatalogError(`${type}.${field}: ${why}`, type, field);
  };
  const base = unwrapped(schema);
  // What a value of the schema can be: a type the generalizer reads, or anything (checked per event).
  const open = base.type === 'unknown' || base.type === 'any';
  const text = open || base.type === 'string';
  switch (g.kind) {
    case 'hour':
    case 'day':
      if (!text || (base.format !== undefined && base.format !== 'datetime' && base.format !== 'date'))
        fail(`'${g.kind}' generalizes an ISO date or date-time (z.iso.datetime or z.iso.date)`);
      return;
    case 'ageBand':
      if (!text || (base.format !== undefined && base.format !== 'date'))
        fail(`'ageBand' generalizes a date of birth (z.iso.date())`);
      if (!Number.isInteger(g.widthYears) || g.widthYears < MIN_AGE_BAND_YEARS)
        fail(
          `an age band is a whole number of years, at least ${MIN_AGE_BAND_YEARS} (one year is an exact age)`,
        );
      if (!Number.isInteger(g.topYears) || g.topYears < g.widthYears || g.topYears > MAX_TOP_YEARS)
        fail(`the top age band starts at a whole number of years, from the band width to ${MAX_TOP_YEARS}`);
      return;
    case 'bucket': {
      if (!open && base.type !== 'number') fail(`'bucket' generalizes a number schema`);
      const { bounds } = g;
      if (!Array.isArray(bounds) || bounds.length < 1 || bounds.length > MAX_BUCKET_BOUNDS)
        fail(`bucket bounds are 1 to ${MAX_BUCKET_BOUNDS} numbers`);
      for (let i = 0; i < bounds.length; i++) {
        const bound = bounds[i] as number;
        if (!Number.isFinite(bound)) fail('bucket bounds are finite numbers');
        if (i > 0 && !(bound > (bounds[i - 1] as number))) fail('bucket bounds are strictly increasing');
      }
      return;
    }
    default:
      fail(`unknown generalizer '${(g as { kind: unknown }).kind}'`);
  }
}

// The schema under optional, nullable and default wrappers: its type and string format.
function unwrapped(schema: z.ZodType): { type: string; format?: string } {
  const def = schema._zod.def as { type: string; format?: string; innerType?: z.ZodType };
  if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType)
    return unwrapped(def.innerType);
  return { type: def.type, ...(def.format ? { format: def.format } : {}) };
}
