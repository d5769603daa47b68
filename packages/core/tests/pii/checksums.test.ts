import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/needs.ts';
import { luhnValid, verhoeffCheckDigit, verhoeffValid } from '../../src/pii/index.ts';

describe('verhoeff', () => {
  it('accepts the published example 2363 and rejects its neighbours', () => {
    // Prepare / Act / Assess
    expect(verhoeffCheckDigit('236')).toBe('3');
    expect(verhoeffValid('2363')).toBe(true);
    expect(verhoeffValid('2364')).toBe(false);
  });

  it('accepts a number completed with its own check digit (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,30}$/), (digits) => {
        // Act
        const full = digits + verhoeffCheckDigit(digits);
        // Assess
        expect(verhoeffValid(full)).toBe(true);
      }),
    );
  });

  it('detects every single-digit error and every adjacent transposition (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{11}$/),
        fc.nat(11),
        fc.integer({ min: 1, max: 9 }),
        (digits, position, delta) => {
          // Prepare
          const full = digits + verhoeffCheckDigit(digits);
          const chars = [...full];
          const changed = [...chars];
          changed[position] = String((Number(chars[position]) + delta) % 10);
          const swapped = [...chars];
          const next = Math.min(position + 1, 11);
          [swapped[position], swapped[next]] = [swapped[next]!, swapped[position]!];
          // Act / Assess
          expect(verhoeffValid(changed.join(''))).toBe(false);
          if (chars[position] !== chars[next]) expect(verhoeffValid(swapped.join(''))).toBe(false);
        },
      ),
    );
  });

  it('is false, never an exception, for input that is not ASCII digits', () => {
    for (const input of ['', '23 63', '２３６３', 'abc', '-2363']) expect(verhoeffValid(input)).toBe(false);
  });

  it('Precondition: the check digit is only computed over ASCII digits', () => {
    expect(() => verhoeffCheckDigit('23a')).toThrow(InvariantError);
    expect(() => verhoeffCheckDigit('')).toThrow(InvariantError);
  });
});

describe('luhn', () => {
  it('accepts known-valid numbers and rejects altered ones', () => {
    for (const valid of ['79927398713', '4111111111111111', '5555555555554444', '378282246310005']) {
      expect(luhnValid(valid)).toBe(true);
    }
    for (const invalid of ['79927398710', '4111111111111112', '', '4111 1111 1111 1111']) {
      expect(luhnValid(invalid)).toBe(false);
    }
  });

  it('detects every single-digit error (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{12,18}$/),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (body, at, delta) => {
          // Prepare: complete the body with the digit that makes it pass
          const check = [...'0123456789'].find((d) => luhnValid(body + d))!;
          const full = body + check;
          const position = at % full.length;
          const changed = [...full];
          changed[position] = String((Number(full[position]) + delta) % 10);
          // Act / Assess
          expect(luhnValid(full)).toBe(true);
          expect(luhnValid(changed.join(''))).toBe(false);
        },
      ),
    );
  });
});
