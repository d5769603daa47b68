import type { CountryCode } from 'libphonenumber-js';

/** How to find a tenant's country. */
export interface CountryResolverOptions {
  /** Country of tenants not otherwise listed. Default: `BD`. */
  defaultCountry?: CountryCode;
  /** Exact tenant ids. */
  byTenant?: Record<string, CountryCode>;
  /** Tenant id prefixes, longest match wins, e.g. `{ 'kol-': 'IN', 'dhk-': 'BD' }`. */
  byPrefix?: Record<string, CountryCode>;
}

/**
 * A tenant → country function for reading local phone formats.
 *
 * @example const countryOf = createCountryResolver({ byPrefix: { 'kol-': 'IN' } });
 */
export function createCountryResolver(
  options: CountryResolverOptions = {},
): (tenantId: string) => CountryCode {
  const fallback = options.defaultCountry ?? 'BD';
  const prefixes = Object.entries(options.byPrefix ?? {}).sort((a, b) => b[0].length - a[0].length);
  return (tenantId) => {
    // Own entries only: a tenant named `constructor` is not Object's.
    const exact =
      options.byTenant && Object.hasOwn(options.byTenant, tenantId) ? options.byTenant[tenantId] : undefined;
    if (exact) return exact;
    return prefixes.find(([prefix]) => tenantId.startsWith(prefix))?.[1] ?? fallback;
  };
}
