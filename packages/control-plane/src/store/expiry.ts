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
