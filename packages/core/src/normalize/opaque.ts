import { hasHiddenCharacter } from '../text.ts';
import { foldIdentifier } from './fold.ts';
import { invalid, type Normalized } from './result.ts';

/** Longest opaque identifier accepted (patient numbers, doctor ids, appointment ids). */
export const MAX_OPAQUE_ID_LENGTH = 128;

/**
 * Normalizes an application identifier (patient number, doctor id): Unicode folded and trimmed,
 * case kept (ids like `P-00a1` and `P-00A1` may be different records). Folding removes the usual
 * invisible characters (zero-width, bidi, soft hyphen); any control or invisible character left is
 * refused rather than kept, so that an id that looks the same is the same id.
 *
 * @example normalizeOpaque(' P-000123 ') // { ok: true, value: 'P-000123' }
 */
export function normalizeOpaque(raw: string): Normalized {
  const text = foldIdentifier(raw).trim();
  if (text.length === 0) return invalid('invalid_identifier', 'empty');
  if (text.length > MAX_OPAQUE_ID_LENGTH)
    return invalid('invalid_identifier', `longer than ${MAX_OPAQUE_ID_LENGTH} characters`);
  // What folding leaves of controls (C0, C1, DEL), line separators, tags, fillers, the combining
  // grapheme joiner, variation selectors: each would make one id two ids, and two tokens.
  if (hasHiddenCharacter(text))
    return invalid('invalid_identifier', 'contains control or invisible characters');
  return { ok: true, value: text };
}

/**
 * An opaque identifier as the vault keys it: prefixed with its tenant. An application's own number
 * (a patient number, an appointment id) names a record in that tenant's system only: patient
 * `P-0001` of one clinic and `P-0001` of another are two people, and without the tenant they got one
 * token, so an access request or an erasure for one reached the other's contacts and records.
 * Phone numbers, emails and national ids name the same person in every tenant and are not scoped.
 * A tenant id holds no `/` (see `TenantIdSchema`), so the prefix is unambiguous.
 *
 * @example tenantScoped('dhk-mirpur-01', 'P-0001') // 'dhk-mirpur-01/P-0001'
 */
export function tenantScoped(tenantId: string, value: string): string {
  return `${tenantId}/${value}`;
}
