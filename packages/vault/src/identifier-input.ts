import {
  type NormalizeContext,
  type Normalized,
  type NormalizerName,
  normalizeIdentifier,
  TenantIdSchema,
  tenantScoped,
} from '@residency/core';

/**
 * The normalizer of each contact kind the ingest normalizes before the blind index; every other kind
 * (a patient or appointment number) is opaque. Keep in step with the catalog's contact kinds.
 */
const NORMALIZERS: Readonly<Record<string, NormalizerName>> = {
  phone: 'phone',
  email: 'email',
  nationalId: 'nationalId',
};

/** The country read when a request names none: the ingest's default (`DEFAULT_COUNTRY`). */
export const DEFAULT_INPUT_COUNTRY = 'BD';

/**
 * An identifier as an operator types it (`01711-234567`, `Rahima.Khatun@Example.org`), in the form
 * the ingest tokenized it (`+8801711234567`), so that a lookup, an export or an erasure finds what
 * the vault holds instead of answering `not_found` for a person it holds. A local phone number is
 * read in `country`. An application's own id (a patient or appointment number) is per tenant, as
 * the ingest keys it (`tenantScoped`): with `tenant`, `P-0001` becomes `dhk-mirpur-01/P-0001`;
 * without, the value is taken as already scoped. The reason of a failure never contains the value.
 *
 * @example normalizedInput('phone', '01711-234567', 'BD') // { ok: true, value: '+8801711234567' }
 */
export function normalizedInput(kind: string, value: string, country: string, tenant?: string): Normalized {
  // Own keys only: a kind such as `toString` is an opaque kind, not a normalizer.
  const normalizer = Object.hasOwn(NORMALIZERS, kind) ? NORMALIZERS[kind] : undefined;
  const normalized = normalizeIdentifier(normalizer ?? 'opaque', value, {
    country: country as NormalizeContext['country'],
  });
  if (!normalized.ok || normalizer !== undefined || tenant === undefined) return normalized;
  if (!TenantIdSchema.safeParse(tenant).success)
    return { ok: false, code: 'invalid_identifier', reason: 'the tenant is not a tenant id' };
  return { ok: true, value: tenantScoped(tenant, normalized.value) };
}
