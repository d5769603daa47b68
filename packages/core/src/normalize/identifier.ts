import type { CountryCode } from 'libphonenumber-js';
import type { NormalizerName } from '../model/classes.ts';
import { normalizeEmail } from './email.ts';
import { normalizeNationalId } from './national-id.ts';
import { normalizeOpaque } from './opaque.ts';
import { normalizePhone } from './phone.ts';
import type { Normalized } from './result.ts';

/** What a normalizer may need to know about the event's tenant. */
export interface NormalizeContext {
  /** ISO 3166 country of the tenant, for reading local phone formats. */
  country: CountryCode;
}

/** Runs the named normalizer. */
export function normalizeIdentifier(name: NormalizerName, raw: string, ctx: NormalizeContext): Normalized {
  switch (name) {
    case 'phone':
      return normalizePhone(raw, ctx.country);
    case 'email':
      return normalizeEmail(raw);
    case 'nationalId':
      return normalizeNationalId(raw);
    case 'opaque':
      return normalizeOpaque(raw);
  }
}
