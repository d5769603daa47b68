import type { OpenWindow } from '../ports.ts';

/** How long a window waits behind the others after its first failed close; doubles with each failure in a row. */
export const CLOSE_RETRY_BASE_MILLIS = 60_000;

/** The longest a window whose close keeps failing waits behind the others. */
export const CLOSE_RETRY_MAX_MILLIS = 3_600_000;

/** How long a window waits behind the others after its `closeFailures`th failed close in a row. */
export function closeRetryDelayMillis(closeFailures: number): number {
  return Math.min(CLOSE_RETRY_BASE_MILLIS * 2 ** Math.max(0, closeFailures - 1), CLOSE_RETRY_MAX_MILLIS);
}

/**
 * The due windows a run tries: those not backing off, oldest first, then (if there is room) those
 * backing off, the soonest retry first; and how many backing off are left out.
 */
export function pickWindows(
  due: readonly OpenWindow[],
  nowMillis: number,
  max: number,
): { batch: OpenWindow[]; backingOff: number } {
  const byAge = (a: OpenWindow, b: OpenWindow) => a.startMillis - b.startMillis || a.seconds - b.seconds;
  const waits = (w: OpenWindow) => w.retryAfterMillis !== undefined && w.retryAfterMillis > nowMillis;
  const ready = due.filter((w) => !waits(w)).sort(byAge);
  const later = due
    .filter(waits)
    .sort((a, b) => (a.retryAfterMillis ?? 0) - (b.retryAfterMillis ?? 0) || byAge(a, b));
  const batch = [...ready, ...later].slice(0, max);
  return { batch, backingOff: later.length - Math.max(0, batch.length - ready.length) };
}
