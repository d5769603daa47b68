import { base64Reading } from './base64.ts';
import { decodedReading } from './decode.ts';
import { forEachChain, forEachStretch } from './digit-spans.ts';
import { containsPassport, containsVoterId, MIN_DIGITS_FOR_DOCUMENT_RULES } from './documents.ts';
import { containsEmail } from './email.ts';
import { displayOrder, foldForScan, maskStructured } from './fold.ts';
import { idRulesFor } from './id-numbers.ts';
import { containsIpv4, containsIpv6 } from './network.ts';
import { containsPan } from './pan.ts';
import { createPhoneRule } from './phone.ts';
import { PII_RULES, type PiiFinding, type PiiRuleId } from './rules.ts';

/** Findings for one value are listed in the order of {@link PII_RULES}, whatever found them first. */
const RULE_ORDER: readonly PiiRuleId[] = PII_RULES.map((rule) => rule.id);

/** Fewer digits than the shortest digit-based rule needs (an IPv4 address or a PAN has 4). */
const MIN_DIGITS_FOR_ANY_DIGIT_RULE = 4;
/** The shortest phone number has 8 digits, national ids more; skip stretch work below that. */
const MIN_DIGITS_FOR_NUMBER_RULES = 8;

/** What one pass over the characters tells about a value: which rules can possibly match. */
interface Shape {
  digits: number;
  colon: boolean;
  dot: boolean;
}

function shapeOf(text: string): Shape {
  const shape: Shape = { digits: 0, colon: false, dot: false };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) shape.digits++;
    else if (code === 58) shape.colon = true;
    else if (code === 46) shape.dot = true;
  }
  return shape;
}

function add(found: PiiRuleId[], rule: PiiRuleId): void {
  if (!found.includes(rule)) found.push(rule);
}

function countDigits(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

function scanFolded(text: string, found: PiiRuleId[]): void {
  if (containsEmail(text)) add(found, 'email');
  const shape = shapeOf(text);
  if (!shape.colon && shape.digits < MIN_DIGITS_FOR_ANY_DIGIT_RULE) return;
  // UUIDs, dates, vault tokens and digests only look like numbers to the rules that read eight
  // digits or more.
  const masked = shape.digits >= MIN_DIGITS_FOR_NUMBER_RULES ? maskStructured(text) : text;
  const digits = masked === text ? shape.digits : countDigits(masked);
  if (shape.colon && containsIpv6(masked)) add(found, 'ipv6');
  if (digits < MIN_DIGITS_FOR_ANY_DIGIT_RULE) return;
  if (shape.dot && containsIpv4(masked)) add(found, 'ipv4');
  if (containsPan(masked)) add(found, 'pan');
  if (digits >= MIN_DIGITS_FOR_DOCUMENT_RULES) {
    if (containsVoterId(masked)) add(found, 'voter-id');
    if (containsPassport(masked)) add(found, 'passport');
  }
  if (digits < MIN_DIGITS_FOR_NUMBER_RULES) return;
  scanDigits(masked, found);
}

/** Makes `reach[g]` the furthest reach of any group at or before g (a running maximum). */
function extendReach(reach: Int32Array): void {
  for (let g = 1; g < reach.length; g++) reach[g] = Math.max(reach[g]!, reach[g - 1]!);
}

/** The phone, national-id and card rules over every stretch of every chain of digits. */
function scanDigits(masked: string, found: PiiRuleId[]): void {
  const isPhoneNumber = createPhoneRule();
  forEachChain(masked, (chain) => {
    // Phone numbers written with a leading '+': the stretches inside one are its parts
    // ("+880 1711 234 567" holds no 10-digit BD NID "8801711234"). `reach[g]` is the last group of
    // any such number starting at or before group g, so a stretch [first, last] lies inside one when
    // reach[first] >= last: one lookup, where a list of the numbers made a chain of many of them
    // quadratic.
    let reach: Int32Array | undefined;
    if (chain.plus.includes(true)) {
      forEachStretch(chain, (stretch) => {
        if (!stretch.plus || !isPhoneNumber(stretch)) return;
        add(found, 'phone');
        reach ??= new Int32Array(chain.groups.length).fill(-1);
        reach[stretch.first] = Math.max(reach[stretch.first]!, stretch.last);
      });
      if (reach !== undefined) extendReach(reach);
    }
    forEachStretch(chain, (stretch) => {
      if (reach !== undefined && reach[stretch.first]! >= stretch.last) return;
      if (!found.includes('phone') && isPhoneNumber(stretch)) add(found, 'phone');
      if (stretch.phoneOnly) return;
      for (const rule of idRulesFor(stretch.digits)) add(found, rule);
    });
  });
}

/**
 * How many encodings deep a value is read: base64 of a percent-encoded value, or a JSON escape in
 * a base64 JWT payload, is two.
 */
const MAX_DECODING_DEPTH = 2;

/**
 * Scans a value as stored, in display order if it uses the right-to-left override, and with the
 * encodings any reader undoes (percent-encoding, backslash escapes, HTML references, base64 text)
 * undone, recursively up to {@link MAX_DECODING_DEPTH}.
 */
function scanReadings(value: string, found: PiiRuleId[], depth: number): void {
  scanFolded(foldForScan(value), found);
  const display = displayOrder(value);
  if (display !== undefined) scanFolded(foldForScan(display), found);
  if (depth >= MAX_DECODING_DEPTH) return;
  const decoded = decodedReading(value);
  if (decoded !== undefined) scanReadings(decoded, found, depth + 1);
  const encoded = base64Reading(value);
  if (encoded !== undefined) scanReadings(encoded, found, depth + 1);
}

/**
 * The rules a single string fires, each at most once, in {@link PII_RULES} order. The string is
 * folded first (NFKC, invisible and bidi characters removed, native digits to ASCII) and, if it
 * uses the right-to-left override, also read in display order; if it holds percent-encoding,
 * backslash escapes, HTML character references or base64 of text, it is also read with them undone.
 */
export function rulesIn(value: string): PiiRuleId[] {
  const found: PiiRuleId[] = [];
  scanReadings(value, found, 0);
  return found.length > 1 ? found.sort((a, b) => RULE_ORDER.indexOf(a) - RULE_ORDER.indexOf(b)) : found;
}

/**
 * Scans one string value for personal data. Returns one finding per rule that fired, with path
 * `$`; an empty array means nothing was found. Never throws, never returns the value.
 *
 * @example scanValue('call +880 1711-234567') // [{ rule: 'phone', path: '$' }]
 */
export function scanValue(value: string): PiiFinding[] {
  return rulesIn(value).map((rule) => ({ rule, path: '$' }));
}
