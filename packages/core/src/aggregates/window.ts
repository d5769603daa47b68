/** Default window length: one minute of event time. */
export const DEFAULT_WINDOW_SECONDS = 60;
/** Default allowed lateness: events up to two minutes after their window's end still count. */
export const DEFAULT_ALLOWED_LATENESS_SECONDS = 120;

/** A tumbling window of event time: `[startMillis, startMillis + seconds * 1000)`. */
export interface AggregateWindow {
  /** Epoch millis of the window's start, a multiple of the window length. */
  readonly startMillis: number;
  /** Window length in seconds. */
  readonly seconds: number;
}

/**
 * The tumbling window an event time falls in. Windows are aligned to the epoch, so every
 * function computes the same window for the same event.
 *
 * @example windowOf(Date.parse('2026-03-01T10:00:42Z'), 60) // { startMillis: Date.parse('2026-03-01T10:00:00Z'), seconds: 60 }
 */
export function windowOf(occurredAtMillis: number, windowSeconds: number): AggregateWindow {
  const length = windowSeconds * 1000;
  return knownWindow(Math.floor(occurredAtMillis / length) * length, windowSeconds).window;
}

/** Epoch millis at which the window ends (exclusive). */
export function windowEndMillis(window: AggregateWindow): number {
  return window.startMillis + window.seconds * 1000;
}

/** The window's start as an ISO date-time, e.g. `2026-03-01T10:00:00.000Z`. */
export function windowStartIso(window: AggregateWindow): string {
  let iso = startIsoByMillis.get(window.startMillis);
  if (iso === undefined) {
    // A batch touches a handful of windows but asks for their keys once per event and item.
    if (startIsoByMillis.size >= 4_096) startIsoByMillis.clear();
    iso = new Date(window.startMillis).toISOString();
    startIsoByMillis.set(window.startMillis, iso);
  }
  return iso;
}

const startIsoByMillis = new Map<number, string>();

/** A stable string key of a window: `<start ISO>#<seconds>`; sorts by start for one length. */
export function windowKeyOf(window: AggregateWindow): string {
  const entry = knownWindow(window.startMillis, window.seconds);
  entry.key ??= `${windowStartIso(window)}#${window.seconds}`;
  return entry.key;
}

// The windows seen lately, by start (one length in practice): one object per window, which
// `windowOf` gives every event of the window (they are read, never changed), so that a batch's
// lookups by window can go by identity and a batch does not allocate one per event; and its key,
// built once (it is asked for several times per event).
interface KnownWindow {
  readonly window: AggregateWindow;
  key?: string;
}

const knownWindows = new Map<number, KnownWindow>();

function knownWindow(startMillis: number, seconds: number): KnownWindow {
  const known = knownWindows.get(startMillis);
  if (known !== undefined && known.window.seconds === seconds) return known;
  if (knownWindows.size >= 4_096) knownWindows.clear();
  const entry: KnownWindow = { window: { startMillis, seconds } };
  knownWindows.set(startMillis, entry);
  return entry;
}

/**
 * True when events of `window` are late at `nowMillis`: its end plus the allowed lateness has
 * passed. Late events are counted as late and never change the window's aggregates.
 */
export function isPastLateness(
  window: AggregateWindow,
  allowedLatenessSeconds: number,
  nowMillis: number,
): boolean {
  return windowEndMillis(window) + allowedLatenessSeconds * 1000 <= nowMillis;
}
