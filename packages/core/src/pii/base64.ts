// Base64 hides text from a pattern but from no one who reads it: a JWT's payload
// ("eyJhbGciOi...eyJlbWFpbCI6InJhaGltQGV4YW1wbGUuY29tIn0...") carries the user's email and phone,
// an HTTP Basic credential is base64 of "user:password", and the user is often an email address.
// Random bytes in base64 (signatures, keys, nonces) and the pipeline's own tokens, UUIDs and hex
// digests also look like base64, but decode to binary: only a run that decodes to printable UTF-8
// text starting with three printable ASCII characters (a JSON document, a "user:password") is read.
// A random run passes the first test with odds of (95/256)^3, 1 in 20, rejected on its first four
// characters without allocating; it passes the whole test with odds below 1 in 10^4 for 12 bytes,
// and is then scanned like any text, so costs a false positive only if that text holds an identifier.
/** The shortest run read: 12 characters are 9 bytes ("01711234567" encodes to 16, "a@b.com" to 12). */
const MIN_RUN_CHARS = 12;

/** The 6-bit value of each base64 and base64url character by char code below 128, -1 for others. */
const SEXTETS = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  table[45] = 62; // '-' in base64url
  table[95] = 63; // '_' in base64url
  return table;
})();

function sextet(code: number): number {
  return code < 128 ? SEXTETS[code]! : -1;
}

/** A byte that printable UTF-8 text can hold: not a control character other than tab, CR, LF. */
function textByte(byte: number): boolean {
  return byte >= 0x20 ? byte !== 0x7f : byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** A byte that is a printable ASCII character. */
function printableAscii(byte: number): boolean {
  return byte >= 0x20 && byte < 0x7f;
}

/** Whether the first three bytes the run at `start` encodes are printable ASCII: rejects most binary, no allocation. */
function startsAsText(value: string, start: number): boolean {
  const bits =
    (sextet(value.charCodeAt(start)) << 18) |
    (sextet(value.charCodeAt(start + 1)) << 12) |
    (sextet(value.charCodeAt(start + 2)) << 6) |
    sextet(value.charCodeAt(start + 3));
  return (
    printableAscii((bits >> 16) & 0xff) && printableAscii((bits >> 8) & 0xff) && printableAscii(bits & 0xff)
  );
}

/** The text a run encodes, or `undefined` if it is binary or not valid UTF-8. */
function decodeRun(run: string): string | undefined {
  const bytes = Buffer.from(run, 'base64');
  for (const byte of bytes) if (!textByte(byte)) return undefined;
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? undefined : text;
}

/**
 * The texts encoded in base64 (or base64url) in `value`, one per line, or `undefined` when no run
 * of 12 or more base64 characters decodes to printable UTF-8 text. The scanner reads the result in
 * addition to the value itself.
 *
 * @example base64Reading('Authorization: Basic cmFoaW1AZXhhbXBsZS5jb206cHc=') // 'rahim@example.com:pw'
 */
export function base64Reading(value: string): string | undefined {
  if (value.length < MIN_RUN_CHARS) return undefined;
  let texts: string[] | undefined;
  // Maximal runs of base64 characters ('=' padding left out: Node decodes unpadded input), found
  // with a loop over char codes: cheaper than a global regex on the short strings of the hot path.
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && sextet(value.charCodeAt(i)) !== -1) continue;
    if (i - start >= MIN_RUN_CHARS && startsAsText(value, start)) {
      const text = decodeRun(value.slice(start, i));
      if (text !== undefined) {
        texts = texts ?? [];
        texts.push(text);
      }
    }
    start = i + 1;
  }
  return texts?.join('\n');
}
