import { InvalidArgumentError } from 'commander';

/** Bounds of a whole-number option. */
export interface IntegerBounds {
  /** Smallest value accepted. Default: 1. */
  min?: number;
  /** Largest value accepted. Default: `Number.MAX_SAFE_INTEGER`. */
  max?: number;
}

// Decimal digits only: `Number()` would take `1e3`, `0x10` and `''` (as 0), and `parseInt` would
// read `1e3` as 1 and `abc` as NaN, so a typo would run quietly with another number.
const DIGITS = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A commander parser for a whole-number option in decimal digits within bounds; anything else
 * (`abc`, `-1`, `1e3`, `0x10`, `1.5`, too large) is a usage error naming the range.
 *
 * @example program.option('--events <n>', 'events to send', integerArg({ max: 5_000_000 }), 3000)
 */
export function integerArg({
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
}: IntegerBounds = {}): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const n = DIGITS.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max)) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected a whole number ${range}, in decimal digits`);
    }
    return n;
  };
}

/**
 * A commander parser for a decimal option (digits, optionally a fraction) within bounds.
 *
 * @example program.option('--zipf <s>', 'Zipf exponent', decimalArg({ min: 0, max: 10, aboveMin: true }))
 */
export function decimalArg({
  min,
  max,
  aboveMin = false,
}: {
  min: number;
  max: number;
  /** Whether `min` itself is refused (a positive number: `min: 0, aboveMin: true`). Default: false. */
  aboveMin?: boolean;
}): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!((aboveMin ? n > min : n >= min) && n <= max)) {
      throw new InvalidArgumentError(
        `expected a decimal number ${aboveMin ? 'above' : 'from'} ${min} ${aboveMin ? 'up ' : ''}to ${max}`,
      );
    }
    return n;
  };
}
