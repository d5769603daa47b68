import type { Random } from './random.ts';

/**
 * Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s (Zipf), by binary search
 * over a precomputed CDF: O(n) memory once, O(log n) per sample. Written here because it is ten
 * lines and no maintained npm package offers a seeded, allocation-free sampler.
 *
 * @example const next = createZipf(10_000, 1.1, random); next(); // 0 most often
 */
export function createZipf(n: number, exponent: number, random: Random): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cdf[rank] = total;
  }
  return () => {
    const target = random.float() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cdf[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}
