import { forEachStretch } from './digit-spans.ts';
import { containsEmail } from './email.ts';
import { displayOrder, foldForScan, maskStructured } from './fold.ts';
import { idRulesFor } from './id-numbers.ts';
import { containsIpv4, containsIpv6 } from './network.ts';
import { containsPan } from './pan.ts';
import { createPhoneRule } from './phone.ts';
import { PII_RULES, type PiiFinding, type PiiRuleId } from './rules.ts';

/** Findings for one value are listed in the order of {@link PII_RULES}, whatever found them first. */
const RULE_ORDER: readonly PiiRuleId[] = PII_RULES.map((rule) => rule.id);

// A vault token whose body is one alphanumeric word with a letter in it
// (`pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6M`): no rule can match inside it (its digits are glued to
// letters, it has no '@', '.' or ':'), so skip the work. An all-digit body ("nid_19902612345123456")
// and bodies with '-' or '_' (base64url) are scanned like anything else.
const WORD_TOKEN = /^[a-z][a-z0-9]{1,7}_(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}$/;

/** Fewer digits than the shortest digit-based rule needs (an IPv4 address or a PAN has 4). */
const MIN_DIGITS_FOR_ANY_DIGIT_RULE = 4;
/** The shortest phone number has 8 digits, national ids more; skip stretch work below that. */
const MIN_DIGITS_FOR_NUMBER_RULES = 8;

/** What one pass over the characters tells about a value: which rules can possibly match. */
interface Shape {
  digits: number;
  at: boolean;
  colon: boolean;
  dot: boolean;
  /** A bracket, '%' or "AT": the value may spell an email address out ("name [at] example"). */
  spelledAt: boolean;
}

function shapeOf(text: string): Shape {
  const shape: Shape = { digits: 0, at: false, colon: false, dot: false, spelledAt: false };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) shape.digits++;
    else if (code === 64) shape.at = true;
    else if (code === 58) shape.colon = true;
    else if (code === 46) shape.dot = true;
    else if (code === 91 || code === 40 || code === 123 || code === 60 || code === 37) shape.spelledAt = true;
    else if (code === 65 && text.charCodeAt(i + 1) === 84) shape.spelledAt = true;
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
  const shape = shapeOf(text);
  if ((shape.at || shape.spelledAt) && containsEmail(text)) add(found, 'email');
  if (!shape.colon && shape.digits < MIN_DIGITS_FOR_ANY_DIGIT_RULE) return;
  if (WORD_TOKEN.test(text)) return;
  // Dates and UUIDs only look like numbers to the rules that read eight digits or more.
  const masked = shape.digits >= MIN_DIGITS_FOR_NUMBER_RULES ? maskStructured(text) : text;
  const digits = masked === text ? shape.digits : countDigits(masked);
  if (shape.colon && containsIpv6(masked)) add(found, 'ipv6');
  if (digits < MIN_DIGITS_FOR_ANY_DIGIT_RULE) return;
  if (shape.dot && containsIpv4(masked)) add(found, 'ipv4');
  if (containsPan(masked)) add(found, 'pan');
  if (digits < MIN_DIGITS_FOR_NUMBER_RULES) return;
  const isPhoneNumber = createPhoneRule();
  forEachStretch(masked, (stretch) => {
    if (!found.includes('phone') && isPhoneNumber(stretch)) add(found, 'phone');
    for (const rule of idRulesFor(stretch)) add(found, rule);
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
