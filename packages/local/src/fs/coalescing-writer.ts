/**
 * Serializes calls to an async `write` and merges the requests that arrive while one runs into a
 * single next run. Every `request()` resolves after a run that started after it, so a caller that
 * changed state before requesting knows its change is written.
 */
export interface CoalescingWriter {
  request(): Promise<void>;
}

/** Creates a {@link CoalescingWriter} around `write`, which must read the latest state itself. */
export function createCoalescingWriter(write: () => Promise<void>): CoalescingWriter {
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const run = (): Promise<void> => {
    const current = write().finally(() => {
      if (inFlight === current) inFlight = undefined;
    });
    inFlight = current;
    return current;
  };
  return {
    request() {
      if (queued) return queued;
      if (!inFlight) return run();
      const next = inFlight
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return run();
        });
      queued = next;
      return next;
    },
  };
}
