import { createHmac, randomInt } from 'node:crypto';
import { needs } from '../needs.ts';

/** Largest bound {@link IntegerRandom.below} accepts: 2^48, the limit of `crypto.randomInt`. */
export const MAX_RANDOM_BOUND = 2 ** 48;

/** Uniform random integers: the only randomness the noise mechanism uses (no floating point). */
export interface IntegerRandom {
  /** A uniform integer in `[0, bound)`. Precondition: `bound` is an integer in `[1, 2^48]`. */
  below(bound: number): number;
}

/** Cryptographically secure randomness (`crypto.randomInt`). */
export const systemRandom: IntegerRandom = {
  below(bound) {
    checkBound(bound);
    return bound === 1 ? 0 : randomInt(bound);
  },
};

/**
 * Deterministic randomness from a secret key and a label: HMAC-SHA256(key, label, counter) as a
 * stream, 48 bits per draw, rejection-sampled (no modulo bias). The window closer uses it so a
 * retried release draws exactly the noise of the first attempt: releasing one cell twice with
 * fresh noise would let a reader average the noise away.
 *
 * @example const random = createKeyedRandom(ledgerSeed, cellId);
 */
export function createKeyedRandom(key: Uint8Array, label: string): IntegerRandom {
  needs(key.length >= 16, 'Precondition: a keyed random stream has a key of at least 128 bits');
  let block = Buffer.alloc(0);
  let offset = 0;
  let counter = 0;
  const next48 = (): number => {
    if (offset + 6 > block.length) {
      block = createHmac('sha256', key).update(`${label}\n${counter}`).digest();
      counter += 1;
      offset = 0;
    }
    const value = block.readUIntBE(offset, 6);
    offset += 6;
    return value;
  };
  return {
    below(bound) {
      checkBound(bound);
      const limit = MAX_RANDOM_BOUND - (MAX_RANDOM_BOUND % bound);
      for (;;) {
        const value = next48();
        if (value < limit) return value % bound;
      }
    },
  };
}

function checkBound(bound: number): void {
  needs(
    Number.isInteger(bound) && bound >= 1 && bound <= MAX_RANDOM_BOUND,
    'Precondition: 1 <= bound <= 2^48',
  );
}
