import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanValue } from '../../src/pii/index.ts';
import { bdMobileNsn, digits, embedIn, group, inMobileNsn } from './arbitraries.ts';

// Phone numbers written with dots as people group them, and the dotted numbers that are not
// identifiers, as programs and people write them.

// The national number, the ways it is split, and the ways its country is written before it.
const indianMobile = inMobileNsn.chain((nsn) =>
  fc.tuple(
    fc.constant(nsn),
    fc.constantFrom([5], [4], [3, 3], [4, 3], [2, 2, 2, 2]),
    fc.constantFrom('', '0', '+91.', '+91 ', '91.', '0091.'),
  ),
);
const bangladeshiMobile = bdMobileNsn.chain((nsn) =>
  fc.tuple(
    fc.constant(nsn),
    fc.constantFrom([4], [4, 3], [3, 3], [2, 2, 2, 2]),
    fc.constantFrom('0', '+880.', '+880 ', '880.', '00880.', '(+880) '),
  ),
);
const dottedPhone = fc.oneof(indianMobile, bangladeshiMobile).map(([nsn, sizes, country]) => {
  // "0" + "1711.234567" is written "01711.234567": the trunk 0 belongs to the first group.
  return `${country}${group(nsn, sizes, '.')}`;
});

const int = (min: number, max: number) => fc.integer({ min, max });
const pad = (value: number) => String(value).padStart(2, '0');

// A decimal not written like a phone: an integer part of at most three digits (coordinates,
// percentages, degrees), or a fraction shorter than its integer part (epoch seconds, amounts).
const decimalArb = fc.oneof(
  fc
    .tuple(int(0, 360), int(1, 14))
    .chain(([integer, places]) => digits(places).map((f) => `${integer}.${f}`)),
  fc
    .tuple(int(4, 12), int(1, 3))
    .chain(([length, shorter]) =>
      fc
        .tuple(digits(length), digits(Math.max(1, length - shorter)))
        .map(([integer, fraction]) => `${integer.replace(/^0/, '1')}.${fraction}`),
    ),
);
const amountArb = fc
  .tuple(
    fc.double({ min: 1000, max: 1e12, noNaN: true }),
    fc.constantFrom('en-US', 'en-IN', 'de-DE', 'fr-FR'),
  )
  .map(([amount, locale]) =>
    amount.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  );
// Builds of Windows, Chrome and the like: a single-digit minor version, then long parts.
const buildArb = fc
  .tuple(int(0, 200), int(0, 9), int(256, 99999), int(0, 99999))
  .map((parts) => parts.join('.'));
const oidArb = fc
  .tuple(
    fc.constantFrom('1.3.6.1.4.1', '2.16.840.1', '1.2.840', '0.9.2342', '1.3.6.1.5.5.7'),
    fc.array(int(0, 999999), { minLength: 1, maxLength: 6 }),
  )
  .map(([root, arcs]) => [root, ...arcs].join('.'));
const dateTimeArb = fc
  .tuple(int(1, 28), int(1, 12), int(1900, 2099), int(0, 23), int(0, 59), int(0, 59), int(0, 999999))
  .chain(([day, month, year, hour, minute, second, micros]) =>
    fc.constantFrom(
      `${pad(day)}.${pad(month)}.${year}`,
      `${year}.${pad(month)}.${pad(day)}`,
      `${pad(day)}.${pad(month)}.${year} ${pad(hour)}:${pad(minute)}`,
      `${year}.${pad(month)}.${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`,
      `${pad(day)}/${pad(month)}/${year} ${pad(hour)}:${pad(minute)}`,
      `${month}/${day}/${year}, ${hour}:${pad(minute)}:${pad(second)}`,
      `${day}-${month}-${year} ${pad(hour)}:${pad(minute)}:${pad(second)}.${micros}`,
      `${pad(hour)}:${pad(minute)}:${pad(second)}.${micros}`,
    ),
  );

describe('scanner on dotted numbers (property)', () => {
  it('finds an Indian or Bangladeshi mobile written with dots between its groups, in random text', () => {
    fc.assert(
      fc.property(dottedPhone.chain(embedIn), (text) => {
        expect(scanValue(text).map((f) => f.rule)).toContain('phone');
      }),
      { numRuns: 1000 },
    );
  });

  it('never blocks decimals, amounts, builds, OIDs, dates or times', () => {
    fc.assert(
      fc.property(fc.oneof(decimalArb, amountArb, buildArb, oidArb, dateTimeArb), (value) => {
        // A German amount whose groups are all below 256 ("9.179.171.100,00") is also a valid IPv4
        // address for the ipv4 rule: a documented limit of that rule, not of the digit rules.
        expect(scanValue(value).filter((f) => f.rule !== 'ipv4')).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
