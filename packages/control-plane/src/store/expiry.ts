// Retention of the control plane's items: an `expiresAt` stamp (epoch seconds) for the tables' TTL.

/** The `expiresAt` stamp of something whose time is `iso`, or none without a retention. */
export type Expiry = (iso: string) => { expiresAt?: number };

/** {@link Expiry} for a retention in days; a time that does not parse gets no stamp. */
export function expiryOf(retentionDays: number | undefined): Expiry {
  if (retentionDays === undefined) return () => ({});
  return (iso) => {
    const millis = Date.parse(iso);
    return Number.isFinite(millis) ? { expiresAt: Math.ceil(millis / 1000) + retentionDays * 86_400 } : {};
  };
}

/** {@link Expiry} of a UTC day (`yyyy-mm-dd`): counted from the day's end. */
export function dayExpiry(expiry: Expiry, day: string): { expiresAt?: number } {
  const { expiresAt } = expiry(`${day}T00:00:00Z`);
  return expiresAt === undefined ? {} : { expiresAt: expiresAt + 86_400 };
}

/**
 * {@link Expiry} of whichever of `times` is latest: a stamp that outlives the retention of each.
 * A record is stamped from the later of its event hour and its receipt, because its item is also
 * what dedupes it: stamped from a late event's hour alone, it could be deleted by TTL as soon as
 * it is stored, and a redelivery after that would be counted again.
 */
export function latestExpiry(expiry: Expiry, ...times: string[]): { expiresAt?: number } {
  let latest: number | undefined;
  for (const time of times) {
    const { expiresAt } = expiry(time);
    if (expiresAt !== undefined && (latest === undefined || expiresAt > latest)) latest = expiresAt;
  }
  return latest === undefined ? {} : { expiresAt: latest };
}
