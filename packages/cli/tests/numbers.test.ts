import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { decimalArg, integerArg } from '../src/args/numbers.ts';

describe('integerArg', () => {
  const events = integerArg({ max: 5_000_000 });

  it.each([
    'abc',
    '-1',
    '0',
    '1e3',
    '0x10',
    '1.5',
    '',
    ' ',
    '5000001',
    '99999999999999999999',
    'Infinity',
    '1_000',
  ])('refuses %j as a usage error naming the range', (value) => {
    // Act / Assess
    expect(() => events(value)).toThrow(InvalidArgumentError);
    expect(() => events(value)).toThrow('from 1 to 5000000');
  });

  it.each([
    ['1', 1],
    [' 5', 5],
    ['010', 10],
    ['5000000', 5_000_000],
  ])('reads %j as %d', (value, expected) => {
    expect(events(value)).toBe(expected);
  });

  it('takes 0 when the minimum is 0 (a seed)', () => {
    expect(integerArg({ min: 0 })('0')).toBe(0);
  });
});

describe('decimalArg', () => {
  const positive = decimalArg({ min: 0, max: 100, aboveMin: true });
  const share = decimalArg({ min: 0, max: 1 });

  it.each(['0', '-1', 'abc', '1e3', '0x10', '', 'NaN', 'Infinity', '101'])(
    'refuses %j as positive',
    (value) => {
      expect(() => positive(value)).toThrow(InvalidArgumentError);
    },
  );

  it('reads decimals and accepts the minimum of a share', () => {
    expect(positive('1.1')).toBe(1.1);
    expect(share('0')).toBe(0);
    expect(share('1')).toBe(1);
    expect(() => share('')).toThrow(InvalidArgumentError);
  });
});
