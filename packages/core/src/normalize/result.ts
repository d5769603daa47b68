/** A normalized identifier, or why it is invalid (the reason never contains the value). */
export type Normalized = { ok: true; value: string } | { ok: false; code: string; reason: string };

/** Builds a failed {@link Normalized}. */
export function invalid(code: string, reason: string): Normalized {
  return { ok: false, code, reason };
}
