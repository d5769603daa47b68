import { forEachChain, forEachStretch } from './digit-spans.ts';
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
  if (digits < MIN_DIGITS_FOR_NUMBER_RULES) return;
  scanDigits(masked, found);
}

/** The phone, national-id and card rules over every stretch of every chain of digits. */
function scanDigits(masked: string, found: PiiRuleId[]): void {
  const isPhoneNumber = createPhoneRule();
  forEachChain(masked, (chain) => {
    // Phone numbers written with a leading '+', as [first, last] groups: the stretches inside one
    // are its parts ("+880 1711 234 567" holds no 10-digit BD NID "8801711234").
    const international: [number, number][] = [];
    if (chain.plus.includes(true)) {
      forEachStretch(chain, (stretch) => {
        if (!stretch.plus || !isPhoneNumber(stretch)) return;
        add(found, 'phone');
        international.push([stretch.first, stretch.last]);
      });
    }
    forEachStretch(chain, (stretch) => {
      if (international.some(([first, last]) => stretch.first >= first && stretch.last <= last)) return;
      if (!found.includes('phone') && isPhoneNumber(stretch)) add(found, 'phone');
      for (const rule of idRulesFor(stretch.digits)) add(found, rule);
    });
  });
}

/**
 * The rules a single string fires, each at most once, in {@link PII_RULES} order. The string is folded first (NFKC,
 * invisible and bidi characters removed, native digits to ASCII) and, if it uses the
 * right-to-left override, also read in display order.
 */
export function rulesIn(value: string): PiiRuleId[] {
  const found: PiiRuleId[] = [];
  scanFolded(foldForScan(value), found);
  const display = displayOrder(value);
  if (display !== undefined) scanFolded(foldForScan(display), found);
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
