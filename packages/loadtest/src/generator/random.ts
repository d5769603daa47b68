import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded random source (pure-rand's xoroshiro128+): the same seed gives the same workload. */
export interface Random {
  /** Integer in [from, to], both included. */
  int(from: number, to: number): number;
  /** Float in [0, 1). */
  float(): number;
  pick<T>(items: readonly T[]): T;
  digits(count: number): string;
  chance(probability: number): boolean;
}

/** Creates a {@link Random} from a seed. @example const random = createRandom(42); */
export function createRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  const random: Random = {
    int: (from, to) => uniformInt(rng, from, to),
    float: () => uniformFloat64(rng),
    pick: (items) => items[uniformInt(rng, 0, items.length - 1)] as (typeof items)[number],
    digits: (count) => {
      let out = '';
      for (let i = 0; i < count; i++) out += String(uniformInt(rng, 0, 9));
      return out;
    },
    chance: (probability) => uniformFloat64(rng) < probability,
  };
  return random;
}
