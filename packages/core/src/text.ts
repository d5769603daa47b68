// Characters that render as nothing but change a string's bytes: zero-width space/joiners, word
// joiner, BOM, soft hyphen, and the bidi controls (LRM, RLM, embeddings, overrides, isolates).
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

// Native decimal digits used in the region: Bengali (U+09E6..) and Devanagari (U+0966..).
// NFKC does not fold these to ASCII, so map them by hand.
const NATIVE_DIGITS = /[\u09E6-\u09EF\u0966-\u096F]/g;

/**
 * Folds a string to the form identifiers are compared and scanned in: NFKC (full-width digits and
 * letters become ASCII), invisible and bidi control characters removed, Bengali and Devanagari
 * digits mapped to ASCII. Used by the normalizers and the PII scanner alike, so that a trick that
 * defeats one cannot defeat the other.
 *
 * @example foldText('０１７１１\u200B２３４５６７') // '01711234567'
 */
export function foldText(value: string): string {
  return value
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(NATIVE_DIGITS, (d) => String((d.charCodeAt(0) - (d >= '\u09E6' ? 0x09e6 : 0x0966)) % 10));
}

/**
 * A kind of character a public value must not hold, because it leaves the region as it is:
 * - `lone_surrogate`: half a surrogate pair; not Unicode text.
 * - `control`: a C0 or C1 control or DEL (NUL, TAB, CR, LF, ESC, NEL, CSI...), or U+2028/U+2029:
 *   forges a log line or drives a terminal.
 * - `bidi`: a bidirectional mark, embedding, override or isolate: reorders what a reviewer sees.
 * - `tag`: a Unicode tag character (U+E0000..U+E007F): invisible ASCII, outside a flag emoji.
 * - `invisible`: another format or default-ignorable character: zero-width space, word joiner,
 *   BOM, soft hyphen, a Hangul filler, a reserved ignorable code point, and a zero-width (non-)joiner
 *   that does not stand between two characters of a script or emoji that uses it.
 * - `variation_selector`: a variation selector with no character to vary: at the start, after
 *   another selector, after an ASCII character (but an emoji selector on a keycap base: `#`, `*`,
 *   a digit), or an ideographic one (U+E0100..U+E01EF) after anything but an ideograph.
 */
export type UnsafeCharacter =
  | 'lone_surrogate'
  | 'control'
  | 'bidi'
  | 'tag'
  | 'invisible'
  | 'variation_selector';

// Every candidate, by Unicode property so that it follows the runtime's Unicode version: controls,
// format characters, lone surrogates (a `u` pattern reads half a pair as a code point in Cs), line
// and paragraph separators, and what Unicode says renders as nothing (Default_Ignorable_Code_Point:
// joiners, variation selectors, fillers, tags and their reserved block). Ordinary text of any
// script matches none of it, so the hot path is this one test.
const CANDIDATE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
/**
 * Whether `text` holds any control, format, separator or default-ignorable character, or a lone
 * surrogate, with no exception for scripts or emoji: for identifiers, where such a character can
 * only make one person's id two ids (and two tokens).
 *
 * @example hasHiddenCharacter('P-000\u034F123') // true (a combining grapheme joiner)
 */
export function hasHiddenCharacter(text: string): boolean {
  return CANDIDATE.test(text);
}

/** The same, to walk every candidate of a text that has one. */
const CANDIDATES = new RegExp(CANDIDATE.source, 'gu');

/**
 * The first kind of character in `text` that must not leave the region in a public value, or
 * `undefined` for text that shows all it holds. Costs one precompiled pattern test unless the text
 * holds a candidate: ordinary Bengali, Devanagari, Arabic, CJK or emoji text holds none but the
 * joiners and variation selectors those scripts and emoji need, which are allowed where they do
 * something: one at a time, next to the characters they act on, so what they can hide is bounded
 * by the visible characters around them.
 *
 * @example unsafeCharacterIn('cardiology\u202E') // 'bidi'
 * @example unsafeCharacterIn('র\u200D্যাব') // undefined: the ZWJ forms the ya-phala
 */
export function unsafeCharacterIn(text: string): UnsafeCharacter | undefined {
  return CANDIDATE.test(text) ? firstUnsafe(text) : undefined;
}

function firstUnsafe(text: string): UnsafeCharacter | undefined {
  if (!isWellFormed(text)) return 'lone_surrogate';
  // One global pattern, its lastIndex reset here: nothing below calls out, so no call can interleave.
  const candidates = CANDIDATES;
  candidates.lastIndex = 0;
  for (let match = candidates.exec(text); match !== null; match = candidates.exec(text)) {
    const at = match.index;
    const code = text.codePointAt(at)!;
    if (code >= TAG_FIRST && code <= TAG_LAST) {
      const flag = flagTagsAt(text, at);
      if (flag === 0) return 'tag';
      candidates.lastIndex = at + flag;
    } else {
      const unsafe = kindOf(text, at, code);
      if (unsafe) return unsafe;
    }
  }
  return undefined;
}

const ZWNJ = 0x200c;
const ZWJ = 0x200d;
const TAG_FIRST = 0xe0000;
const TAG_LAST = 0xe007f;
const BIDI = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);
/** Below this, Latin, IPA and ASCII: no script there needs a joiner (U+0300 starts combining marks). */
const FIRST_JOINING = 0x0300;

function kindOf(text: string, at: number, code: number): UnsafeCharacter | undefined {
  if (code <= 0x9f || code === 0x2028 || code === 0x2029) return 'control';
  if (BIDI.has(code)) return 'bidi';
  if (code === ZWJ || code === ZWNJ) return joins(text, at) ? undefined : 'invisible';
  if (isVariationSelector(code)) return varies(text, at, code) ? undefined : 'variation_selector';
  return 'invisible';
}

/**
 * Whether the joiner at `at` stands between two characters of a script or emoji that uses one
 * (Bengali ya-phala, Devanagari half forms, Persian and Urdu word parts, emoji ZWJ sequences).
 */
function joins(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at + 1);
  return before >= FIRST_JOINING && after >= FIRST_JOINING && !isJoiner(before) && !isJoiner(after);
}

const isJoiner = (code: number): boolean => code === ZWJ || code === ZWNJ;

/** Emoji and text presentation selectors, the standardized and ideographic ones, Mongolian FVS. */
function isVariationSelector(code: number): boolean {
  return (
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0xe0100 && code <= 0xe01ef) ||
    (code >= 0x180b && code <= 0x180d) ||
    code === 0x180f
  );
}

/** Keycap emoji bases: `#`, `*` and the digits take U+FE0F (then U+20E3). */
const KEYCAP_BASE = /^[#*0-9]$/;

/** Whether the selector at `at` follows one ordinary character it can vary. */
function varies(text: string, at: number, code: number): boolean {
  if (at === 0) return false;
  const low = text.charCodeAt(at - 1);
  const base = low >= 0xdc00 && low <= 0xdfff && at >= 2 ? text.codePointAt(at - 2)! : low;
  const char = String.fromCodePoint(base);
  if (CANDIDATE.test(char)) return false;
  if (code >= 0xe0100) return IDEOGRAPH.test(char);
  if (base >= 0x80) return true;
  return (code === 0xfe0e || code === 0xfe0f) && KEYCAP_BASE.test(char);
}

/** The bases of ideographic variation sequences (the Ideographic Variation Database): ideographs. */
const IDEOGRAPH = /^\p{Ideographic}$/u;

/** The RGI subdivision flags: England, Scotland, Wales (U+1F3F4, tag letters, CANCEL TAG). */
const FLAG_TAGS = ['gbeng', 'gbsct', 'gbwls'].map(
  (code) => `${[...code].map((c) => String.fromCodePoint(TAG_FIRST + c.charCodeAt(0))).join('')}\u{E007F}`,
);
const BLACK_FLAG = 0x1f3f4;

/** The length of the flag's tags that start at `at`, or 0 when they are not those of a flag. */
function flagTagsAt(text: string, at: number): number {
  if (at < 2 || text.codePointAt(at - 2) !== BLACK_FLAG) return 0;
  return FLAG_TAGS.find((tags) => text.startsWith(tags, at))?.length ?? 0;
}

/**
 * Whether `text` holds no lone surrogate. `String.prototype.isWellFormed` is ES2024 (Node 20); the
 * base tsconfig's lib is ES2023. V8 answers a one-byte string (any Latin-1 text) without reading it.
 */
export const isWellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed();
interface WellFormed {
  isWellFormed(): boolean;
}
