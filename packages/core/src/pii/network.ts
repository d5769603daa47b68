import { isIP } from 'node:net';

// Candidates are cut out with simple patterns and judged by node:net's isIP, which rejects
// octets over 255, leading zeros and malformed IPv6.
const IPV4_CANDIDATE = /(?<![A-Za-z0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![A-Za-z0-9]|\.\d)/g;
// One character class, no nesting: a maximal run of hex digits, colons and dots (linear).
const IPV6_RUN = /[0-9A-Fa-f:.]+/g;
const ALNUM = /[A-Za-z0-9]/;
/** The longest textual IPv6 address (IPv4-mapped, all groups written out) is 45 characters. */
const MAX_IPV6_CHARS = 45;

/**
 * Fixed-width, zero-padded octets ("203.000.113.007"), as some network gear and log formats write
 * addresses. isIP rejects leading zeros; an address padded to three digits in every octet is still
 * an address. "01.02.03.04" (a date, a version) is not padded that way and is not read as one.
 */
const ZERO_PADDED_IPV4 = /^\d{3}\.\d{3}\.\d{3}\.\d{3}$/;

function unpadded(address: string): string {
  return address
    .split('.')
    .map((octet) => String(Number(octet)))
    .join('.');
}

/**
 * Addresses that name no one: "this network" (0/8), loopback (127/8), and multicast, reserved and
 * broadcast (224 and up). Private ranges (10/8, 192.168/16, ...) are still reported.
 */
function personalIpv4(address: string): boolean {
  const first = Number(address.slice(0, address.indexOf('.')));
  return first !== 0 && first !== 127 && first < 224;
}

/**
 * Whether a (folded, masked) value contains an IPv4 address other than 0/8, loopback, multicast
 * or reserved, also with every octet zero-padded to three digits. Four-part version strings
 * ("1.2.3.4") are valid addresses and are reported.
 *
 * @example containsIpv4('client 203.0.113.7 connected') // true
 */
export function containsIpv4(text: string): boolean {
  for (const [match] of text.matchAll(IPV4_CANDIDATE)) {
    const candidate = ZERO_PADDED_IPV4.test(match) ? unpadded(match) : match;
    if (isIP(candidate) === 4 && personalIpv4(candidate)) return true;
  }
  return false;
}

/**
 * A run less the dots it ends with, and a lone colon after them ("2001:db8::1:" ends a clause; "::"
 * stays). A loop, not `/\.+$/`: that is quadratic on a long run of dots inside a run.
 */
function trimSentencePunctuation(run: string): string {
  let end = run.length;
  while (end > 0 && run[end - 1] === '.') end--;
  if (end > 1 && run[end - 1] === ':' && run[end - 2] !== ':') end--;
  return run.slice(0, end);
}

/**
 * Whether a (folded, masked) value contains an IPv6 address other than `::` and `::1`. Includes
 * IPv4-mapped addresses (`::ffff:203.0.113.7`). Times ("07:00:00") and MAC addresses are not valid
 * IPv6 and are not reported.
 *
 * @example containsIpv6('from 2001:db8::8a2e:370:7334') // true
 */
export function containsIpv6(text: string): boolean {
  for (const match of text.matchAll(IPV6_RUN)) {
    const end = match.index + match[0].length;
    // Sentence punctuation is not part of an address: "from fe80::1.", "at 2001:db8::1:".
    const candidate = trimSentencePunctuation(match[0]);
    if (candidate.length > MAX_IPV6_CHARS || candidate.indexOf(':') === candidate.lastIndexOf(':')) continue;
    if (ALNUM.test(text[match.index - 1] ?? '') || ALNUM.test(text[end] ?? '')) continue;
    if (candidate !== '::' && candidate !== '::1' && isIP(candidate) === 6) return true;
  }
  return false;
}
