import { describe, expect, it } from 'vitest';
import { unsafeCharacterIn } from '../src/text.ts';

/** Every code point but the surrogates, as a string. */
function* everyCharacter(): Generator<[number, string]> {
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code < 0xd800 || code > 0xdfff) yield [code, String.fromCodePoint(code)];
  }
}

const HIDDEN_BY_UNICODE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

describe('unsafeCharacterIn', () => {
  it('refuses every control, format, separator and default-ignorable character between Latin letters', () => {
    // Prepare, Act: every code point of Unicode, in the runtime's Unicode version
    const missed: string[] = [];
    const extra: string[] = [];
    for (const [code, char] of everyCharacter()) {
      const unsafe = unsafeCharacterIn(`a${char}b`) !== undefined;
      if (HIDDEN_BY_UNICODE.test(char) && !unsafe) missed.push(hex(code));
      if (!HIDDEN_BY_UNICODE.test(char) && unsafe) extra.push(hex(code));
    }
    // Assess: exactly those, no more (visible text of any script passes)
    expect(missed).toEqual([]);
    expect(extra).toEqual([]);
  });

  it('names the kind of character', () => {
    for (const [text, kind] of [
      ['a\u0000', 'control'],
      ['a\tb', 'control'],
      ['a\r\nb', 'control'],
      ['\u001B[2J', 'control'],
      ['a\u007F', 'control'],
      ['a\u0085', 'control'],
      ['a\u2028b', 'control'],
      ['\u202Eabc', 'bidi'],
      ['a\u2067b\u2069', 'bidi'],
      ['\u200Fa', 'bidi'],
      ['a\u{E0041}', 'tag'],
      ['a\u200Bb', 'invisible'],
      ['\uFEFFa', 'invisible'],
      ['a\u00ADb', 'invisible'],
      ['a\u200Db', 'invisible'],
      ['a\uFE0Fb', 'variation_selector'],
      ['\u2764\uFE0F\uFE0F', 'variation_selector'],
      ['a\uD800b', 'lone_surrogate'],
      ['\u200Ba\uDC00', 'lone_surrogate'],
    ] as const) {
      expect(unsafeCharacterIn(text), JSON.stringify(text)).toBe(kind);
    }
  });

  it('allows joiners only between two characters of a script or emoji that uses them', () => {
    expect(unsafeCharacterIn('র\u200D্যাব')).toBeUndefined();
    expect(unsafeCharacterIn('\u{1F469}\u200D\u{1F4BB}')).toBeUndefined();
    for (const text of ['\u200Dক', 'ক\u200D', 'ক\u200D\u200Dখ', 'ক\u200C\u200Dখ', 'a\u200Cক', 'ক\u200Ca']) {
      expect(unsafeCharacterIn(text), JSON.stringify(text)).toBe('invisible');
    }
  });

  it('allows one variation selector on a character it can vary', () => {
    for (const text of [
      '\u2764\uFE0F',
      '\u2764\uFE0E',
      '#\uFE0F\u20E3',
      '9\uFE0F\u20E3',
      '\u00A9\uFE0F',
      '葛\u{E0100}',
    ]) {
      expect(unsafeCharacterIn(text), JSON.stringify(text)).toBeUndefined();
    }
    for (const text of [
      '\uFE0F',
      'a\uFE0F',
      '1\uFE00',
      'ক\u{E0100}',
      '葛\u{E0100}\u{E0101}',
      'ক\u200D\uFE0F',
    ]) {
      expect(unsafeCharacterIn(text), JSON.stringify(text)).toBe('variation_selector');
    }
  });

  it('answers undefined for ordinary text without looking further', () => {
    for (const text of ['', 'cardiology', 'North 24 Parganas', 'ঢাকা', 'दिल्ली', 'القاهرة', '心脏科', '🫀']) {
      expect(unsafeCharacterIn(text), text).toBeUndefined();
    }
  });
});
