import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { type CountryCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { luhnValid, type PiiRuleId, verhoeffCheckDigit } from '../../src/pii/index.ts';
import { isRound } from '../../src/pii/number-shapes.ts';

/** A piece of personal data, the rule that must find it, and (for numbers) its integer form. */
export interface Planted {
  rule: PiiRuleId;
  text: string;
  integer?: number;
}

/** Between `min` and `max` (default `min`) decimal digits. */
export const digits = (min: number, max = min) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
/** `text` split into groups of the given sizes (the last taking what is left), joined by `separator`. */
export const group = (text: string, sizes: readonly number[], separator: string) => {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts.join(separator);
};

export const emailArb: fc.Arbitrary<Planted> = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9](?:[a-z0-9._+-]{0,14}[a-z0-9])?$/),
    fc.array(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => ({
    rule: 'email' as const,
    text: `${local}@${[...labels, tld].join('.')}`,
  }));

/** A Bangladeshi mobile's national number (10 digits, `1` and an operator digit first). */
export const bdMobileNsn = fc
  .tuple(fc.integer({ min: 3, max: 9 }), digits(8))
  .map(([operator, rest]) => `1${operator}${rest}`);

/** An Indian mobile's national number (10 digits), as libphonenumber types it. */
export const inMobileNsn = fc
  .tuple(fc.integer({ min: 6, max: 9 }), digits(9))
  .map(([first, rest]) => `${first}${rest}`)
  .filter((nsn) =>
    ['MOBILE', 'FIXED_LINE_OR_MOBILE'].includes(parsePhoneNumberFromString(nsn, 'IN')?.getType() ?? ''),
  );

const bdMobile = bdMobileNsn.chain((nsn) =>
  fc.constantFrom(
    `0${nsn}`,
    `+880${nsn}`,
    `880${nsn}`,
    `00880${nsn}`,
    `+880 ${nsn.slice(0, 4)}-${nsn.slice(4)}`,
    `(+880) ${nsn.slice(0, 4)}.${nsn.slice(4)}`,
    `0${nsn.slice(0, 4)} ${nsn.slice(4, 7)} ${nsn.slice(7)}`,
    `+880-${nsn.slice(0, 2)}-${nsn.slice(2, 6)}-${nsn.slice(6)}`,
  ),
);

const inMobile = inMobileNsn.chain((nsn) =>
  fc.constantFrom(
    nsn,
    `0${nsn}`,
    `91${nsn}`,
    `+91${nsn}`,
    `+91 ${nsn.slice(0, 5)} ${nsn.slice(5)}`,
    `+91-${nsn.slice(0, 5)}-${nsn.slice(5)}`,
    `0${nsn.slice(0, 5)} ${nsn.slice(5)}`,
  ),
);

const COUNTRIES: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'AE',
  'SA',
  'SG',
  'NP',
  'LK',
  'PK',
  'NG',
  'KE',
  'JP',
  'AU',
];
const international = fc
  .tuple(fc.constantFrom(...COUNTRIES), digits(2))
  .map(([country, tail]) =>
    parsePhoneNumberFromString(getExampleNumber(country, examples)!.number.slice(0, -2) + tail),
  )
  .filter((phone) => phone?.isValid() === true)
  .chain((phone) => {
    const spaced = phone!.formatInternational();
    return fc.constantFrom(phone!.number, spaced, spaced.replaceAll(' ', '-'), spaced.replaceAll(' ', '.'));
  });

export const phoneArb: fc.Arbitrary<Planted> = fc
  .oneof(bdMobile, inMobile, international)
  .map((text) => ({ rule: 'phone' as const, text }));

export const aadhaarArb: fc.Arbitrary<Planted> = fc
  .tuple(fc.integer({ min: 2, max: 9 }), digits(10), fc.constantFrom('', ' ', '-'))
  .map(([first, rest, separator]) => {
    const number = `${first}${rest}${verhoeffCheckDigit(`${first}${rest}`)}`;
    return { rule: 'aadhaar' as const, text: group(number, [4, 4], separator), integer: Number(number) };
  });

const CARD_PREFIXES: readonly [string, number][] = [
  ['4', 16],
  ['4', 19],
  ['51', 16],
  ['55', 16],
  ['2221', 16],
  ['34', 15],
  ['37', 15],
  ['6011', 16],
  ['65', 16],
  ['60', 16],
  ['3528', 16],
  ['36', 14],
  ['62', 19],
];

export const cardArb: fc.Arbitrary<Planted> = fc
  .tuple(fc.constantFrom(...CARD_PREFIXES), digits(18), fc.constantFrom('', ' ', '-'))
  .map(([[prefix, length], random, separator]) => {
    const body = (prefix + random).slice(0, length - 1);
    const number = body + [...'0123456789'].find((d) => luhnValid(body + d))!;
    const text = length === 15 ? group(number, [4, 6], separator) : group(number, [4, 4, 4, 4], separator);
    return {
      rule: 'card' as const,
      text,
      integer: Number.isSafeInteger(Number(number)) ? Number(number) : undefined,
    };
  });

// Letters then digits, as the documents print them. Digits that form a round number are an amount,
// which the rules leave alone on purpose ("TK1500000").
const lettersThenDigits = (letters: number, digitCount: number) =>
  fc
    .tuple(fc.stringMatching(new RegExp(`^[A-Z]{${letters}}$`)), digits(digitCount))
    .filter(([, number]) => !isRound(number))
    .map(([prefix, number]) => prefix + number);

/** Indian (J8369854) and Bangladeshi (BM0123456, e-passport A01234567) passport numbers. */
export const passportArb: fc.Arbitrary<Planted> = fc
  .oneof(lettersThenDigits(1, 7), lettersThenDigits(2, 7), lettersThenDigits(1, 8))
  .map((text) => ({ rule: 'passport' as const, text }));

/** Indian voter ids (EPIC numbers): WBA1234567. */
export const voterIdArb: fc.Arbitrary<Planted> = lettersThenDigits(3, 7).map((text) => ({
  rule: 'voter-id' as const,
  text,
}));

/** Any planted identifier of the rules the scanner must never miss. */
export const plantedArb: fc.Arbitrary<Planted> = fc.oneof(
  emailArb,
  phoneArb,
  aadhaarArb,
  cardArb,
  passportArb,
  voterIdArb,
);

// Obfuscation: per character, keep it, write it full-width, or (digits) in a native script, and
// maybe put an invisible character in front; or store it all reversed under an RTL override.
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u200E', '\u200F'];
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const NATIVE_ZEROS = [0x09e6, 0x0966, 0x0660, 0x06f0];

function fullWidth(char: string): string {
  const code = char.charCodeAt(0);
  if (char === ' ') return '\u3000';
  return code > 0x20 && code < 0x7f ? String.fromCharCode(code + 0xfee0) : char;
}

interface CharTrick {
  form: 'ascii' | 'full-width' | 'native';
  zero: number;
  invisible: string | undefined;
}

const charTrick: fc.Arbitrary<CharTrick> = fc.record({
  form: fc.constantFrom('ascii', 'full-width', 'native'),
  zero: fc.constantFrom(...NATIVE_ZEROS),
  invisible: fc.option(fc.constantFrom(...INVISIBLE, ...BIDI), { nil: undefined }),
});

function applyTricks(text: string, tricks: readonly CharTrick[], allowBidi: boolean): string {
  return [...text]
    .map((char, i) => {
      const trick = tricks[i % tricks.length]!;
      let out = char;
      if (trick.form === 'full-width') out = fullWidth(char);
      if (trick.form === 'native' && /\d/.test(char)) out = String.fromCharCode(trick.zero + Number(char));
      const invisible =
        trick.invisible && (allowBidi || INVISIBLE.includes(trick.invisible)) ? trick.invisible : '';
      return invisible + out;
    })
    .join('');
}

/** Obfuscates a string with random zero-width, bidi, full-width, native-digit and RTL-override tricks. */
export const obfuscate = (text: string): fc.Arbitrary<string> =>
  fc.tuple(fc.array(charTrick, { minLength: 1, maxLength: 24 }), fc.boolean()).map(([tricks, reversed]) => {
    if (!reversed) return applyTricks(text, tricks, true);
    const stored = [...applyTricks(text, tricks, false)].reverse().join('');
    return `\u202E${stored}\u202C`;
  });

const word = fc.oneof(
  fc.stringMatching(/^[A-Za-z]{1,10}$/),
  fc.constantFrom('রোগী', 'ঢাকা', 'मरीज़', 'कोलकाता', 'clinic', 'note'),
  fc.integer({ min: 0, max: 999 }).map(String),
);
const separator = fc.constantFrom(' ', ', ', '; ', '\n', ' - ', ': ', ' (', ') ', ' / ', '\t');

/** Random text around `inner`: words and short numbers, with separators on both sides of it. */
export const embedIn = (inner: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.array(word, { maxLength: 5 }), separator, separator, fc.array(word, { maxLength: 5 }))
    .map(([before, open, close, after]) => {
      const head = before.length > 0 ? `${before.join(' ')}${open}` : '';
      const tail = after.length > 0 ? `${close}${after.join(' ')}` : '';
      return `${head}${inner}${tail}`;
    });

// What the pipeline sends on purpose.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const vaultTokenArb = fc
  .tuple(
    fc.constantFrom('pat', 'doc', 'apt', 'phn', 'eml', 'nid', 'patient'),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
  )
  .map(([prefix, bytes]) => {
    let bits = 0n;
    for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
    let body = '';
    for (let i = 0; i < 26; i++) {
      body = CROCKFORD[Number(bits & 31n)] + body;
      bits >>= 5n;
    }
    return `${prefix}_${body}`;
  });
export const base64urlTokenArb = fc
  .tuple(fc.constantFrom('pat', 'ses', 'req'), fc.uint8Array({ minLength: 19, maxLength: 24 }))
  .map(([prefix, bytes]) => `${prefix}_${Buffer.from(bytes).toString('base64url')}`);
export const sha256Arb = fc
  .uint8Array({ maxLength: 64 })
  .map((b) => createHash('sha256').update(b).digest('hex'));
export const timestampArb = fc
  .tuple(
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: -14 * 4, max: 14 * 4 }),
    fc.constantFrom('iso', 'offset', 'hour', 'date', 'space'),
  )
  .map(([date, quarterHours, form]) => {
    const iso = date.toISOString();
    if (form === 'iso') return iso;
    if (form === 'hour') return `${iso.slice(0, 13)}:00Z`;
    if (form === 'date') return iso.slice(0, 10);
    if (form === 'space') return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    const local = new Date(date.getTime() + quarterHours * 15 * 60_000).toISOString().slice(0, 19);
    const minutes = Math.abs(quarterHours) * 15;
    const sign = quarterHours < 0 ? '-' : '+';
    return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  });

/** A legitimate pipeline value: uuid, timestamp, vault or base64url token, sha256 digest, or a count. */
export const legitimateArb: fc.Arbitrary<string | number> = fc.oneof(
  fc.uuid(),
  timestampArb,
  vaultTokenArb,
  base64urlTokenArb,
  sha256Arb,
  fc.integer({ min: 0, max: 9_999_999 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
);
