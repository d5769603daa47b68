// Indian Permanent Account Number: five letters, four digits, one letter. The fourth letter is the
// holder type (P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local authority,
// J artificial juridical person, G government, K krish), which cuts random matches by more than
// half. Case-insensitive: a lower-cased PAN is still a PAN. Must stand apart from other letters
// and digits, so it is never found inside a token body, a digest or a longer code.
const PAN = /(?<![A-Za-z0-9])[A-Za-z]{3}[ABCFGHLJPTKabcfghljptk][A-Za-z]\d{4}[A-Za-z](?![A-Za-z0-9])/;

/**
 * Whether a (folded) value contains an Indian PAN.
 *
 * @example containsPan('PAN ABCPE1234F') // true
 */
export function containsPan(folded: string): boolean {
  return PAN.test(folded);
}
