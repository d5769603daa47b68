/** Time, injectable so windows, freshness and key lifetimes are testable. */
export interface Clock {
  nowMillis(): number;
}

/** The wall clock. */
export const systemClock: Clock = { nowMillis: () => Date.now() };
