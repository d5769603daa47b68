import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatToken } from '../../src/model/tokens.ts';
import { type PiiRuleId, scanRecord, scanValue, verhoeffCheckDigit } from '../../src/pii/index.ts';

// How people write the digits of a number with separators between groups: a dot, a comma, letters
// that are punctuation in print ('ー', 'ㆍ', 'ʼ'); and the dotted numbers that are not identifiers
// (decimals, amounts, versions, OIDs, dates and times), which must not be read as one.

function rulesOf(value: string): PiiRuleId[] {
  return scanValue(value)
    .map((f) => f.rule)
    .sort();
}

const AADHAAR = `23456789012${verhoeffCheckDigit('23456789012')}`;
const grouped = (digits: string, separator: string) => digits.replace(/(\d{4})(?=\d)/g, `$1${separator}`);

describe('scanValue: a phone number in two groups joined by a point, like a decimal', () => {
  // A lone '.' or ',' between two groups was read as a decimal point and the number skipped. Two
  // groups of four digits or more, the first no longer than the second, are how phone numbers are
  // split (India 5+5, Bangladesh 4+6), not how decimals are written: read by the phone rule.
  it.each([
    ['an Indian mobile, 5+5', '98765.43210'],
    ['an Indian mobile, 4+6', '9876.543210'],
    ['a Bangladeshi mobile without its 0', '1711.234567'],
    ['in a sentence', 'call 98765.43210 after 5'],
    ['with a comma', '98765,43210'],
    ['after a +', '+8801711.234567'],
    ['a country code and a national number after a +', '+91.9876543210'],
    ['another country after a +', '+44.2071838750'],
    ['a three-digit country code and a national number', '880.1711234567'],
  ])('finds %s: %s', (_, value) => {
    expect(rulesOf(value)).toEqual(['phone']);
  });
});

describe('scanValue: a decimal number before an identifier', () => {
  // A chain that started with a decimal and held one more group was skipped whole.
  it.each([
    ['rating 4.5, 01711234567', 'phone'],
    ['3.5 01711234567', 'phone'],
    ['4.5/01711234567', 'phone'],
    ['0.5 4111111111111111', 'card'],
    [`2.5, ${AADHAAR}`, 'aadhaar'],
  ])('%s', (value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: separators that Unicode calls letters', () => {
  // Modifier letters and a few others are punctuation in print; as letters they ended a number.
  it.each([
    ['the katakana long-vowel mark, typed as a dash in Japanese', '０１７１ー１２３ー４５６７'],
    ['the half-width long-vowel mark', '98765ｰ43210'],
    ['the Arabic tatweel between Arabic-Indic digits', '٠١٧١ـ١٢٣ـ٤٥٦٧'],
    ['the modifier apostrophe', '0171ʼ123ʼ4567'],
    ['the modifier vertical line', '0171ˈ123ˈ4567'],
    ['the modifier colon', '0171ː123ː4567'],
    ['the Hangul araea, typed as a middle dot in Korean', '0171ㆍ123ㆍ4567'],
    ['the sinological dot', '0171ꞏ123ꞏ4567'],
    ['the dental click letter, a look-alike of |', '0171ǀ123ǀ4567'],
    ['a struck-through middle dot', '0171·\u0336123·\u03364567'],
  ])('finds a phone split by %s', (_, value) => {
    expect(rulesOf(value)).toContain('phone');
  });

  it('finds an Aadhaar, a card and a BD NID split by them', () => {
    expect(rulesOf(grouped(AADHAAR, 'ー'))).toContain('aadhaar');
    expect(rulesOf(grouped('4111111111111111', 'ㆍ'))).toContain('card');
    expect(rulesOf('2612ʼ345ʼ123456')).toContain('bd-nid');
  });
});

describe('scanValue: identifiers grouped with dots and other separators (already found)', () => {
  it.each([
    ['98.76.54.32.10', 'phone'],
    ['+91.98765.43210', 'phone'],
    ['+880.1712.345678', 'phone'],
    ['01712.345.678', 'phone'],
    ['0171.234.5678', 'phone'],
    ['(033) 2456.7890', 'phone'],
    ['+1.415.555.2671', 'phone'],
    ['+33.6.12.34.56.78', 'phone'],
    ['+880.0.1711.234567', 'phone'],
    ['1.0.1711234567', 'phone'],
    ['1.5.01711234567', 'phone'],
    ['1.5, 2.5, 01711234567', 'phone'],
    ['0171．123．4567', 'phone'],
    ['0171٫123٫4567', 'phone'],
    ['98765\u00A043210', 'phone'],
    ['0171\u2009123\u202F4567', 'phone'],
    ['0171\u2013123\u20144567', 'phone'],
    ['0171‧123・4567', 'phone'],
    [grouped(AADHAAR, '.'), 'aadhaar'],
    [grouped(AADHAAR, '·'), 'aadhaar'],
    ['2612.345.123456', 'bd-nid'],
    ['1990.2612.3451.23456', 'bd-nid'],
    ['4111.1111.1111.1111', 'card'],
    ['3782.822463.10005', 'card'],
  ])('%s', (value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: dotted numbers that are not identifiers', () => {
  it.each([
    ['a decimal', '12345.67'],
    ['an amount', '1,234,567.89'],
    ['an amount of ten digits', '12,345,678.90'],
    ['an amount in lakhs and crores', '1,23,45,678.90'],
    ['a German amount', '12.345.678,90'],
    ['a French amount', '12\u202F345\u202F678,90'],
    ['a Swiss amount', "12'345'678.90"],
    ['an amount without separators', '1234567890.12'],
    ['a probability', '0.1711234567'],
    ['coordinates', '23.81033212, 90.41251812'],
    ['a longitude in north-east India', '91.87765381'],
    ['a list of decimals', '3.5, 12.3456789012'],
    ['a version', '1.2.3'],
    ['a Windows build', '10.0.19045.2965'],
    ['an older Windows build', '6.3.9600.20778'],
    ['a Chrome version', '131.0.6778.86'],
    [
      'a user agent',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36',
    ],
    ['a semantic version', '1.22.0-rc.1+build.5'],
    ['an OID', '1.3.6.1.4.1.311.21.8'],
    ['an HL7 OID', '2.16.840.1.113883.3.1'],
    ['an algorithm OID', '1.2.840.113549.1.1.11'],
    ['the LDAP uid OID', '0.9.2342.19200300.100.1.1'],
    ['a UUID OID', '2.25.329800735698586629295641978511506172918'],
    ['a dotted date', '29.11.2026'],
    ['a dotted year-first date', '2026.11.29'],
    ['a dotted date and time', '29.11.2026 14:30'],
    ['a dotted date and time with seconds', '2026.11.29 14:30:05'],
    ['a day-first date and time', '29/11/2026 14:30'],
    ['a US date and time', '11/29/2026, 14:30:05'],
    ['a year-first date and time with milliseconds', '2026/11/29 14:30:05.123'],
    ['a dashed date and time', '29-11-2026 14:30'],
    ['a time with microseconds', '14:30:05.123456'],
    ['a duration', '1:23:45.678901'],
    ['a log timestamp with a comma', '2026-11-29 14:30:05,123'],
    ['epoch seconds with a fraction', '1795762800.123456'],
  ])('%s: %s', (_, value) => {
    expect(scanValue(value)).toEqual([]);
  });

  it('reports an IPv4 address as an address only', () => {
    expect(rulesOf('192.168.1.10')).toEqual(['ipv4']);
    expect(rulesOf('client 10.0.0.1:443')).toEqual(['ipv4']);
  });

  it('finds nothing in a record of such values next to tokens, UUIDs and HMACs', () => {
    // Prepare
    const record = {
      subject: formatToken('patient', new Uint8Array(16).fill(7)),
      batch: randomUUID(),
      mac: createHmac('sha256', 'key').update('subject').digest('hex'),
      build: '10.0.19045.2965',
      at: '29.11.2026 14:30:05',
      fee: '12,345,678.90',
      ratio: '0.1711234567',
    };
    // Act / Assess
    expect(scanRecord(record)).toEqual([]);
  });
});

describe('scanValue: documented limits of dotted numbers', () => {
  it('reads a decimal of two groups of four digits or more as a phone number when its digits are one', () => {
    // "%f" prints six decimals: a four-digit amount so printed reads as "9876.543210" does.
    expect(rulesOf('7654.321098')).toEqual(['phone']);
  });

  it('reads such a decimal as a phone only: a 10-digit BD NID has no check digit', () => {
    expect(scanValue('12345.67890')).toEqual([]);
    expect(scanValue(`${AADHAAR.slice(0, 4)}.${AADHAAR.slice(4)}`)).toEqual([]);
  });

  it('does not read a two-digit country code and a national number without a +: a longitude', () => {
    expect(scanValue('91.9876543210')).toEqual([]);
  });

  it('does not read digits written as a version, one of its parts a single digit', () => {
    expect(scanValue('1.0.98765.43210')).toEqual([]);
  });

  it('reports an amount written with dots whose groups are all below 256 as an IPv4 address', () => {
    expect(rulesOf('9.179.171.100,00')).toEqual(['ipv4']);
  });

  it('does not read a decimal followed by groups with another separator as one number', () => {
    expect(scanValue('9876.543 210')).toEqual([]);
  });
});
