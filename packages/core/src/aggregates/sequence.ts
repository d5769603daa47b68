/**
 * Orders two Kinesis sequence numbers. They are decimal strings of up to 128 digits without
 * leading zeros, too long for a number: compare by length, then digit by digit.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Record.html
 *
 * @example compareSequenceNumbers('49590338271490256608559692538361571095921575989136588898', '9') // 1
 */
export function compareSequenceNumbers(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** True when `a` comes strictly after `b` in a shard. */
export function isAfter(a: string, b: string | undefined): boolean {
  return b === undefined || compareSequenceNumbers(a, b) > 0;
}
