import { timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '@residency/aws';
import { CANARY_LAYOUT, type CanaryKind, canaryTag, MIN_CANARY_SECRET_BYTES } from './codes.ts';

/** Where a canary value was found in a text. */
export interface CanaryMatch {
  kind: CanaryKind;
  /** Offset of the match in the text, in UTF-16 code units. */
  index: number;
  length: number;
}

/** Recognises canary identifiers in any text, with the secret and no list. */
export interface CanaryDetector {
  /** Every canary value in `text`: raw, normalized (E.164, `BD-NID:`), or inside JSON or a log line. */
  find(text: string): CanaryMatch[];
  /** True if `text` contains at least one canary value. */
  test(text: string): boolean;
}

// Candidates by shape; the tag decides. Phone numbers may carry +880, 880 or 0 and separators.
const PATTERNS: ReadonlyArray<{ kind: CanaryKind; pattern: RegExp; digits: (m: RegExpExecArray) => string }> =
  [
    { kind: 'patientId', pattern: /(?<![A-Za-z0-9])P-(\d{14})(?!\d)/g, digits: (m) => m[1] ?? '' },
    {
      kind: 'phone',
      pattern: /(?:\+\s?880|(?<!\d)880|(?<!\d)0)[\s-]*1(?:[\s-]*\d){9}(?!\d)/g,
      digits: (m) => m[0].replace(/\D/g, '').slice(-9),
    },
    { kind: 'email', pattern: /(?<!\d)(\d{12})@/g, digits: (m) => m[1] ?? '' },
    {
      kind: 'nationalId',
      pattern: /(?<!\d)((?:19[5-9]\d|200[0-5])\d{13})(?!\d)/g,
      digits: (m) => m[1] ?? '',
    },
  ];

/**
 * Creates a detector for the canaries a producer seeds under `secret`. The control plane, the
 * egress guard or a test runs it over whatever crossed the border: a match is a canary seen in
 * clear, which must never happen. False positives need a real value that happens to carry a
 * valid tag: about 1 in 10^5 Bangladeshi mobile numbers, 1 in 10^8 or fewer for the other kinds.
 *
 * @example
 * const detector = createCanaryDetector(secret);
 * if (detector.test(JSON.stringify(record))) alert('canary crossed the border');
 */
export function createCanaryDetector(secret: Uint8Array): CanaryDetector {
  if (secret.byteLength < MIN_CANARY_SECRET_BYTES) {
    throw new ConfigurationError(
      `the canary secret must be at least ${MIN_CANARY_SECRET_BYTES} bytes`,
      'canaries.secret',
    );
  }
  const verify = (kind: CanaryKind, digits: string): boolean => {
    const { nonceDigits, tagDigits } = CANARY_LAYOUT[kind];
    if (digits.length !== nonceDigits + tagDigits) return false;
    const expected = canaryTag(secret, kind, digits.slice(0, nonceDigits));
    return timingSafeEqual(Buffer.from(expected), Buffer.from(digits.slice(nonceDigits)));
  };
  const find = (text: string): CanaryMatch[] => {
    const matches: CanaryMatch[] = [];
    for (const { kind, pattern, digits } of PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        if (verify(kind, digits(m))) matches.push({ kind, index: m.index, length: m[0].length });
      }
    }
    return matches.sort((a, b) => a.index - b.index);
  };
  return { find, test: (text) => find(text).length > 0 };
}

/**
 * True if `text` contains a canary value seeded under `secret`. For many texts, create one
 * detector with {@link createCanaryDetector} instead.
 *
 * @example isCanary('+8801712345678', secret) // false unless the tag matches
 */
export function isCanary(text: string, secret: Uint8Array): boolean {
  return createCanaryDetector(secret).test(text);
}
