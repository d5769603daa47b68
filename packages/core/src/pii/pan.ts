// Indian Permanent Account Number: five letters, four digits, one letter. The fourth letter is the
// holder type (P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local authority,
// J artificial juridical person, G government, K krish), which cuts random matches by more than
// half. Written in one case: a lower-cased PAN is still a PAN, but mixed case ("qjBJq8860J") is
// what random base64url (a cell id, a session token) looks like, and matched one cell id in 150,000.
// Must stand apart from other letters and digits, so it is never found inside a token body, a
// digest or a longer code.
const PAN =
  /(?<![A-Za-z0-9])(?:[A-Z]{3}[ABCFGHLJPTK][A-Z]\d{4}[A-Z]|[a-z]{3}[abcfghljptk][a-z]\d{4}[a-z])(?![A-Za-z0-9])/;

/**
 * Whether a (folded) value contains an Indian PAN.
 *
 * @example containsPan('PAN ABCPE1234F') // true
 */
export function containsPan(folded: string): boolean {
  return PAN.test(folded);
}
