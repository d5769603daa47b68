import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatToken } from '../../src/model/tokens.ts';
import { type PiiRuleId, scanRecord, scanValue, verhoeffCheckDigit } from '../../src/pii/index.ts';

// Personal data hidden where no fixture put it: keys, numbers, encodings, invisible characters,
// decorations, and inputs built to make the scanner slow. Each case names what a reader (a person,
// a browser, a JSON parser) would see.

function rulesOf(value: string): PiiRuleId[] {
  return scanValue(value)
    .map((f) => f.rule)
    .sort();
}

const AADHAAR = `23456789012${verhoeffCheckDigit('23456789012')}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');
const decorate = (text: string, mark: string) =>
  Array.from(text)
    .map((c) => c + mark)
    .join('');

describe('scanRecord: personal data outside the obvious string values', () => {
  it('finds identifiers in object keys, at any depth and inside arrays', () => {
    // Prepare
    const record = {
      byContact: { 'rahim@example.com': 1, '+880 1711-234567': 2 },
      rows: [{ cells: [{ [AADHAAR]: true }] }],
    };
    // Act
    const findings = scanRecord(record);
    // Assess
    expect(findings).toEqual([
      { rule: 'email', path: '$.byContact[key#0]' },
      { rule: 'phone', path: '$.byContact[key#1]' },
      { rule: 'aadhaar', path: '$.rows[0].cells[0][key#0]' },
    ]);
  });

  it.each([
    ['a phone as an integer', 8801711234567, 'phone'],
    ['a phone written as a float with .0', 8801711234567.0, 'phone'],
    ['a phone written in exponent form', 8.801711234567e12, 'phone'],
    ['a negative phone', -8801711234567, 'phone'],
    ['an Aadhaar in exponent form', Number(`${AADHAAR.slice(0, 1)}.${AADHAAR.slice(1)}e11`), 'aadhaar'],
    ['a card number', 4111111111111111, 'card'],
  ] as const)('reads %s', (_, value, rule) => {
    expect(scanRecord({ n: value })).toContainEqual({ rule, path: '$.n' });
  });

  it('finds an email 60 arrays deep, and reports nesting beyond maxDepth as unscannable', () => {
    // Prepare
    let deep: unknown = 'rahim@example.com';
    for (let i = 0; i < 60; i++) deep = [deep];
    // Act / Assess
    expect(scanRecord({ deep })).toEqual([{ rule: 'email', path: `$.deep${'[0]'.repeat(60)}` }]);
    expect(scanRecord({ deep }, { maxDepth: 10 })[0]?.rule).toBe('unscannable');
  });

  it('reads a string that holds a JSON document', () => {
    // Prepare
    const embedded = JSON.stringify({ patient: { contact: ['rahim@example.com', '+8801711234567'] } });
    // Act / Assess
    expect(scanRecord({ payload: embedded })).toEqual([
      { rule: 'email', path: '$.payload' },
      { rule: 'phone', path: '$.payload' },
    ]);
  });

  it('reads a JSON document embedded with ASCII-only escapes (Python json.dumps of Bengali digits)', () => {
    // Prepare: "০১৭১১২৩৪৫৬৭" as \u09e6\u09e7..., and an email whose '@' is escaped
    const bengali = Array.from(
      '01711234567',
      (d) => `\\u${(0x09e6 + Number(d)).toString(16).padStart(4, '0')}`,
    ).join('');
    const payload = `{"phone": "${bengali}", "email": "rahim\\u0040example.com"}`;
    // Act / Assess
    expect(rulesOf(payload)).toEqual(['email', 'phone']);
  });
});

describe('scanValue: URLs and percent-encoding', () => {
  it.each([
    ['an international phone with encoded spaces', '?phone=%2B91%209876543210', 'phone'],
    ['a tel: link', 'tel:%2B880%201711%20234567', 'phone'],
    ['a local phone with encoded spaces', '?p=0171%20123%204567', 'phone'],
    ['Bengali digits, UTF-8 percent-encoded', `?p=${encodeURIComponent('০১৭১১২৩৪৫৬৭')}`, 'phone'],
    ['a double-encoded @', 'rahim%2540example.com', 'email'],
    ['an encoded IPv4 address', '?ip=203%2E0%2E113%2E7', 'ipv4'],
    ['an encoded IPv6 address', '?ip=2001%3Adb8%3A%3A1', 'ipv6'],
    ['an Aadhaar with encoded spaces', `?uid=${AADHAAR.replace(/(\d{4})(?=\d)/g, '$1%20')}`, 'aadhaar'],
  ])('finds %s', (_, value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });

  it.each([
    ['a query string', '?phone=%2B8801711234567', 'phone'],
    ['a form-encoded phone', 'phone=%2B880+1711+234567', 'phone'],
    ['a mailto: link', 'mailto:rahim@example.com?subject=hi', 'email'],
    ['an encoded @', 'mailto:rahim%40example.com', 'email'],
    ['a URL with user info', 'https://rahim@example.com:pw@host.example.org/', 'email'],
    ['a WhatsApp link', 'https://wa.me/8801711234567', 'phone'],
    ['a phone in a path', '/users/8801711234567/profile', 'phone'],
  ])('already found: %s', (_, value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: HTML and backslash escapes', () => {
  it.each([
    'rahim&#64;example.com',
    'rahim&#x40;example.com',
    'rahim&commat;example&period;com',
    'rahim&amp;#64;example.com',
    'rahim\\x40example.com',
    'rahim\\u{40}example.com',
  ])('finds the email in %s', (value) => {
    expect(rulesOf(value)).toContain('email');
  });
});

describe('scanValue: base64', () => {
  // Decision: base64 IS read, when a run of 12+ base64 characters decodes to printable UTF-8 text
  // starting with three ASCII characters. JWTs and HTTP Basic credentials carry emails and phones
  // in base64, and any reader decodes them. Binary (signatures, HMACs, keys, random ids) never
  // decodes to such text, so it is not read; see the false-positive cases below.
  it('finds the email claim of a JWT', () => {
    // Prepare
    const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"42","email":"rahim@example.com"}')}.${randomBytes(32).toString('base64url')}`;
    // Act / Assess
    expect(rulesOf(`Bearer ${jwt}`)).toEqual(['email']);
  });

  it.each([
    ['an HTTP Basic credential', `Authorization: Basic ${b64('rahim@example.com:hunter2')}`, 'email'],
    ['a base64 phone', `ref=${b64('+8801711234567')}`, 'phone'],
    ['a base64url JSON document', b64url(`{"nid":"${AADHAAR}"}`), 'aadhaar'],
    ['base64 of a percent-encoded phone', b64('?p=%2B91%209876543210'), 'phone'],
  ])('finds %s', (_, value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });

  it('does not read base64 of binary: 2000 random byte strings of 9 to 64 bytes never trip', () => {
    // Prepare: a fixed-seed generator, so a failure is reproducible
    let seed = 0x2545f491;
    const nextByte = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed & 0xff;
    };
    // Act / Assess
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: 9 + (i % 56) }, nextByte));
      expect(scanValue(bytes.toString(i % 2 === 0 ? 'base64' : 'base64url'))).toEqual([]);
    }
  });
});

describe('scanValue: invisible, ignorable and decorative characters', () => {
  it.each([
    ['the combining grapheme joiner', '0171\u034F1234567'],
    ['a Hangul filler (renders blank)', '0171\u31641234567'],
    ['a half-width Hangul filler', '0171\uFFA01234567'],
    ['a Khmer inherent vowel (renders as nothing)', '0171\u17B41234567'],
    ['a Mongolian variation selector', '0171\u180B1234567'],
    ['an underline on every digit', decorate('01711234567', '\u0332')],
    ['a strike-through on every digit', decorate('+8801711234567', '\u0336')],
    ['marks on Arabic-Indic digits', decorate('٠١٧١١٢٣٤٥٦٧', '\u0332')],
  ])('finds a phone split by %s', (_, value) => {
    expect(rulesOf(value)).toContain('phone');
  });

  it('finds a PAN and an email decorated with strike-through', () => {
    expect(rulesOf(decorate('ABCPE1234F', '\u0336'))).toContain('pan');
    expect(rulesOf(decorate('rahim@example.com', '\u0336'))).toContain('email');
  });

  it.each([
    ['Bengali digits', '০১৭১১২৩৪৫৬৭'],
    ['Devanagari digits', '०१७११२३४५६७'],
    ['Extended Arabic-Indic digits', '۰۱۷۱۱۲۳۴۵۶۷'],
    ['full-width digits', '０１７１１２３４５６７'],
    ['mathematical bold digits', '𝟎𝟏𝟕𝟏𝟏𝟐𝟑𝟒𝟓𝟔𝟕'],
    ['superscript digits', '⁰¹⁷¹¹²³⁴⁵⁶⁷'],
    ['circled digits', '⓪①⑦①①②③④⑤⑥⑦'],
    ['zero-width and bidi characters', '\u200E017\u200B11\u20622\u200D34\u2066567\u2069'],
    ['tag characters', '0171\u{E0031}1234567'],
    ['no-break and thin spaces', '+880\u202F1711\u00A0234\u2009567'],
    ['an ellipsis', '0171…1234567'],
  ])('already found: a phone in %s', (_, value) => {
    expect(rulesOf(value)).toContain('phone');
  });
});

describe('scanValue: phones, cards, ids and emails in other shapes (already found)', () => {
  it.each([
    ['(0171) 123-4567', 'phone'],
    ['0.1.7.1.1.2.3.4.5.6.7', 'phone'],
    ['+91 (987) 654-3210', 'phone'],
    ['+880(0)1711234567', 'phone'],
    ['880 1711 234567', 'phone'],
    ['tel:+8801711234567', 'phone'],
    ['4111 1111 1111 1111', 'card'],
    ['x4111111111111111y', 'card'],
    [AADHAAR.replace(/(\d{4})(?=\d)/g, '$1 '), 'aadhaar'],
    ['1990 2612 3451 23456', 'bd-nid'],
    ['ＡＢＣＰＥ１２３４Ｆ', 'pan'],
    ['Rahim.Uddin+clinic@mail.example.co.uk', 'email'],
    ['RAHIM@EXAMPLE.COM', 'email'],
    ['rahim@bücher.de', 'email'],
    ['rahim@example.рф', 'email'],
    ['rahim＠example．com', 'email'],
    ['rahim\uFE6Bexample.com', 'email'],
    ['Rahim <rahim@example.com>', 'email'],
    ['rahim [at] gmail [dot] com', 'email'],
    ['\u202Emoc.elpmaxe@mihar\u202C', 'email'],
  ])('%s', (value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: IP addresses', () => {
  it.each([
    ['a sentence that ends after an IPv6 address with a colon', 'client addr: 2001:db8::1:', 'ipv6'],
    ['an IPv4 address with every octet padded to three digits', '203.000.113.007', 'ipv4'],
  ])('finds %s', (_, value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });

  it.each([
    ['2001:db8::1', 'ipv6'],
    ['2001:DB8::1', 'ipv6'],
    ['::ffff:192.0.2.1', 'ipv6'],
    ['0:0:0:0:0:ffff:cb00:7107', 'ipv6'],
    ['64:ff9b::192.0.2.33', 'ipv6'],
    ['fe80::1%eth0', 'ipv6'],
    ['http://[2001:db8::1]:8080/', 'ipv6'],
    ['2001:db8::/32', 'ipv6'],
    ['2001：db8：：1', 'ipv6'],
    ['192.0.2.1/24', 'ipv4'],
    ['192．0．2．1', 'ipv4'],
    ['ip_192.0.2.1:80', 'ipv4'],
  ])('already found: %s', (value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: what the pipeline and ordinary data send never trips', () => {
  it('vault tokens, UUIDs and HMACs in hex, base64 and base64url', () => {
    for (let i = 0; i < 500; i++) {
      // Prepare
      const mac = createHmac('sha256', `key ${i}`).update(`subject ${i}`);
      const digest = mac.digest();
      const values = [
        formatToken('patient', randomBytes(16)),
        formatToken('phone', randomBytes(16)),
        randomUUID(),
        digest.toString('hex'),
        digest.toString('base64'),
        digest.toString('base64url'),
        createHash('sha1').update(`x${i}`).digest('hex'),
      ];
      // Act / Assess
      for (const value of values) expect(scanValue(value)).toEqual([]);
    }
  });

  it.each([
    '2026-11-27T07:00:00.000Z',
    '2026-11-27T07:00:00.123456+06:00',
    '2026-11-27 07:00:00',
    '20261127T070000Z',
    'v2.14.3',
    '1.22.0-rc.1+build.5',
    'node v24.11.1',
    '0',
    '7',
    '42',
    '999',
    '12345',
    'XXXX XXXX 0124',
    'https://example.org/search?q=cardiology%20dhaka&page=2',
    'Tom &amp; Jerry &#8212; 50% off',
    'C:\\Program Files\\app\\bin',
    '{"department":"cardiology","slots":30}',
    'internationalization',
    'clinicbookAppointmentBooked',
    'Basic realm="clinic"',
  ])('%s', (value) => {
    expect(scanValue(value)).toEqual([]);
  });
});

describe('scanValue: documented limits (deliberately not read)', () => {
  it('does not read the integer part of a fractional number, as for decimal strings', () => {
    // 1711234567.5 is not a phone written by anyone; a phone converted to a number is an integer.
    expect(scanRecord({ amount: 1711234567.5 })).toEqual([]);
  });

  it('does not join values across fields, nor undo look-alike letters or words glued to the text', () => {
    expect(scanRecord({ prefix: '0171', rest: '1234567' })).toEqual([]);
    expect(scanValue('0l7l1234567')).toEqual([]);
    expect(scanValue('rahimATexampleDOTcom')).toEqual([]);
  });

  it('does not read an IPv4 address written with dashes in a host name (ambiguous with codes)', () => {
    expect(scanValue('host-203-0-113-7.dsl.example.net')).toEqual([]);
  });

  it('does not read a partly masked Aadhaar (UIDAI masked form): the identifier is gone', () => {
    expect(scanValue(`XXXX XXXX ${AADHAAR.slice(8)}`)).toEqual([]);
  });
});

describe('scanValue: linear time on adversarial 1 MB values', () => {
  // Each of the first five took more than a minute before the scanner's patterns were made linear
  // (a `\s*` or `+$` pattern re-reading a long run from each position). A bound of 5 s is far above
  // the linear cost (tens of milliseconds) and far below the quadratic one.
  const MB = 1_000_000;
  it.each([
    ['whitespace before a bracket (email obfuscation patterns)', `${' '.repeat(MB)}(x`],
    ['tabs before the word "at"', `${'\t'.repeat(MB)} at`],
    ['dots after an @ (domain trimming)', `a@${'.'.repeat(MB)}x`],
    ['dots inside an IPv6-like run', `1:2:${'.'.repeat(MB)}a`],
    ['a long round-looking number in a range', `1${'0'.repeat(MB)}5-20`],
    ['international phones in one long chain', '+8801711234567 '.repeat(MB / 15)],
    ['many @ signs', 'a@b.'.repeat(MB / 4)],
    ['percent escapes', '%41'.repeat(MB / 3)],
    ['a base64 run of text', b64('rahim '.repeat(MB / 8))],
    ['decorated digits', decorate('1'.repeat(MB / 2), '\u0332')],
    ['decimals written like phone numbers in one long chain', '98765.43210 '.repeat(MB / 12)],
    ['amounts with thousands separators in one long chain', '12,345,678.90 '.repeat(MB / 14)],
    ['dotted dates and times in one long chain', '29.11.2026 14:30:05.123 '.repeat(MB / 24)],
  ])('%s', (_, value) => {
    // Act
    const started = performance.now();
    scanValue(value);
    // Assess
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
