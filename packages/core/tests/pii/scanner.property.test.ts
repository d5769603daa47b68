import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanRecord, scanValue } from '../../src/pii/index.ts';
import { embedIn, legitimateArb, obfuscate, type Planted, plantedArb, timestampArb } from './arbitraries.ts';

const NUM_RUNS = 500;

// A random clean JSON tree: letter-only keys, words, small numbers, booleans, null and the
// legitimate pipeline values. Nothing in it may trip the scanner by itself.
const cleanLeaf = fc.oneof(
  fc.stringMatching(/^[A-Za-z ]{0,20}$/),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
  legitimateArb,
);
const cleanKey = fc.stringMatching(/^[a-z][A-Za-z]{0,12}$/);
const { tree: cleanTree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    cleanLeaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(cleanKey, tie('tree'), { maxKeys: 4 }),
  ),
}));

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  cleanKey.map((key) => ({ kind: 'key' as const, key })),
  fc.nat(3).map((index) => ({ kind: 'index' as const, index })),
);

/** Wraps `leaf` in containers along `steps`, with clean siblings at each level; returns the path. */
function plant(
  leaf: unknown,
  steps: readonly Step[],
  siblings: readonly unknown[],
): { record: unknown; path: string } {
  let record = leaf;
  let path = '';
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const sibling = siblings[i % Math.max(siblings.length, 1)];
    if (step.kind === 'key') {
      const others =
        typeof sibling === 'object' && sibling !== null && !Array.isArray(sibling) ? sibling : {};
      record = { ...others, [step.key]: record };
      path = `.${step.key}${path}`;
    } else {
      const filler = Array.from({ length: step.index }, () => sibling ?? null);
      record = [...filler, record, sibling ?? null];
      path = `[${step.index}]${path}`;
    }
  }
  return { record, path: `$${path}` };
}

const obfuscatedInText = (planted: Planted) => obfuscate(planted.text).chain(embedIn);

describe('scanner (property)', () => {
  it('finds an email, phone, Aadhaar, card, passport or voter id anywhere in random text after random obfuscation', () => {
    fc.assert(
      fc.property(
        plantedArb.chain((planted) => fc.tuple(fc.constant(planted), obfuscatedInText(planted))),
        ([planted, text]) => {
          // Act
          const rules = scanValue(text).map((f) => f.rule);
          // Assess
          expect(rules).toContain(planted.rule);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('finds them at their exact path anywhere in nested JSON, as values, keys or integers', () => {
    fc.assert(
      fc.property(
        plantedArb.chain((planted) =>
          fc.tuple(
            fc.constant(planted),
            obfuscatedInText(planted),
            fc.constantFrom('value', 'key', 'integer'),
            fc.array(stepArb, { maxLength: 5 }),
            fc.array(cleanTree, { minLength: 1, maxLength: 3 }),
          ),
        ),
        ([planted, text, placement, steps, siblings]) => {
          // Prepare
          const asInteger = placement === 'integer' && planted.integer !== undefined;
          const asKey = placement === 'key';
          const leaf = asInteger ? planted.integer : asKey ? { [text]: true } : text;
          const { record, path } = plant(leaf, steps, siblings);

          // Act
          const findings = scanRecord(record);

          // Assess: found where it was planted; a key is named by position, never by its text
          const expectedPath = asKey ? `${path}[key#0]` : path;
          expect(findings).toContainEqual({ rule: planted.rule, path: expectedPath });
          for (const finding of findings) expect(finding.path).not.toContain(text);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('never trips on uuids, timestamps, vault and base64url tokens, sha256 digests and counts', () => {
    fc.assert(
      fc.property(fc.array(legitimateArb, { minLength: 1, maxLength: 6 }), (values) => {
        // Act / Assess: each value alone, and the strings among them in one text. (Numbers side
        // by side in text, "4123 5678 9012", are how ids are written: not asserted here.)
        for (const value of values) expect(scanRecord(value)).toEqual([]);
        expect(scanValue(values.filter((v) => typeof v === 'string').join(' '))).toEqual([]);
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('never trips on random clean records', () => {
    fc.assert(
      fc.property(cleanTree, timestampArb, (tree, occurredHour) => {
        // Act / Assess
        expect(scanRecord({ occurredHour, data: tree })).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
