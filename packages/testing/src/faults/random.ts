/** A seeded source of numbers in [0, 1): the same seed gives the same sequence of decisions. */
export type SeededRandom = () => number;

/**
 * mulberry32: tiny, fast and good enough to decide which request gets a fault. Not for crypto.
 * Seeds are taken modulo 2^32.
 *
 * @example const random = seededRandom(42); random(); // 0.6011037519201636
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
