import { compilePathPatterns, indexSegment, keySegment } from './json-path.ts';
import type { PiiFinding, PiiRuleId } from './rules.ts';
import { rulesIn } from './scan-value.ts';

/** Options of {@link scanRecord}. */
export interface ScanRecordOptions {
  /**
   * JSON paths whose NUMBER values are not scanned, for numeric fields that legitimately collide
   * with identifier formats: epoch seconds are 10 digits (a BD smart-card NID, and often a valid
   * Bangladeshi mobile without its 0), epoch milliseconds are 13 digits and from May 2027
   * (`18[1-5]...`) carry a real district and area code. Strings at these paths are still scanned.
   * Wildcards: `[*]` any array index, `.*` any plain key. Pass the same array on every call: its
   * compiled form is cached by identity. Default: `[]` (every number is scanned).
   *
   * @example ['$.window.startMillis', '$.windows[*].endMillis']
   */
  exemptPaths?: readonly string[];
  /** Nesting depth beyond which a value is reported as `unscannable` instead of walked. Default: 64. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const NO_EXEMPTIONS: readonly string[] = [];
const compiledExemptions = new WeakMap<readonly string[], (path: string) => boolean>();

function exemptionsFor(paths: readonly string[]): (path: string) => boolean {
  let compiled = compiledExemptions.get(paths);
  if (!compiled) {
    compiled = compilePathPatterns(paths);
    compiledExemptions.set(paths, compiled);
  }
  return compiled;
}

/** Digits a JSON number written out has: a 16-19 digit integer beyond 2^53 may be a card. */
const UNSAFE_CARD_DIGITS = /^-?\d{16,19}$/;

class Walker {
  readonly findings: PiiFinding[] = [];
  private readonly segments: string[] = [];
  private readonly open = new Set<object>();

  constructor(
    private readonly exempt: (path: string) => boolean,
    private readonly maxDepth: number,
  ) {}

  private path(): string {
    return `$${this.segments.join('')}`;
  }

  private report(rules: readonly PiiRuleId[]): void {
    if (rules.length === 0) return;
    const path = this.path();
    for (const rule of rules) this.findings.push({ rule, path });
  }

  private number(value: number): void {
    if (!Number.isInteger(value) || this.exempt(this.path())) return;
    const written = String(value);
    // Beyond 2^53 a JSON number has lost its last digits, so its check digit proves nothing; a
    // count never gets this large, a card number does: fail closed.
    if (!Number.isSafeInteger(value) && UNSAFE_CARD_DIGITS.test(written)) this.report(['card']);
    else this.report(rulesIn(written));
  }

  walk(value: unknown, depth: number): void {
    if (typeof value === 'string') this.report(rulesIn(value));
    else if (typeof value === 'number') this.number(value);
    else if (typeof value === 'bigint') this.report(rulesIn(String(value)));
    else if (typeof value === 'object' && value !== null) this.container(value, depth);
  }

  private container(value: object, depth: number): void {
    if (depth > this.maxDepth || this.open.has(value)) {
      this.report(['unscannable']);
      return;
    }
    this.open.add(value);
    const serializable = value as { toJSON?: unknown };
    if (typeof serializable.toJSON === 'function') this.serialized(serializable, depth);
    else if (Array.isArray(value)) this.array(value, depth);
    else this.object(value as Record<string, unknown>, depth);
    this.open.delete(value);
  }

  /** What JSON.stringify would send for a value with toJSON (a Date becomes its ISO string). */
  private serialized(value: { toJSON?: unknown }, depth: number): void {
    let json: unknown;
    try {
      json = (value.toJSON as () => unknown).call(value);
    } catch {
      this.report(['unscannable']);
      return;
    }
    this.walk(json, depth + 1);
  }

  private array(items: readonly unknown[], depth: number): void {
    for (let i = 0; i < items.length; i++) {
      this.segments.push(indexSegment(i));
      this.walk(items[i], depth + 1);
      this.segments.pop();
    }
  }

  private property(record: Record<string, unknown>, key: string, depth: number): void {
    let value: unknown;
    try {
      value = record[key]; // a getter may throw
    } catch {
      this.report(['unscannable']);
      return;
    }
    this.walk(value, depth + 1);
  }

  private object(record: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const keyRules = rulesIn(key);
      this.segments.push(keySegment(key, i, keyRules.length > 0));
      this.report(keyRules);
      this.property(record, key, depth);
      this.segments.pop();
    }
  }
}

/**
 * Scans every part of a JSON-like record that would be sent: every string value, every object
 * key, and every integer (written out as digits: a 12-digit number can be an Aadhaar, a 16-digit
 * one a card), at any depth. Values with `toJSON` (dates) are scanned as they would serialize.
 * Non-integer numbers, booleans and null carry no identifiers and are skipped.
 *
 * Returns one finding per rule per path; empty means clean. Never throws on any input: a cycle
 * or nesting beyond `maxDepth` is reported as `unscannable`, so the caller blocks it.
 *
 * @example
 * scanRecord({ attributes: { note: 'rahim@example.com' }, window: { startMillis: 1800000000000 } },
 *   { exemptPaths: ['$.window.startMillis'] })
 * // [{ rule: 'email', path: '$.attributes.note' }]
 */
export function scanRecord(record: unknown, options: ScanRecordOptions = {}): PiiFinding[] {
  const walker = new Walker(
    exemptionsFor(options.exemptPaths ?? NO_EXEMPTIONS),
    options.maxDepth ?? DEFAULT_MAX_DEPTH,
  );
  try {
    walker.walk(record, 0);
  } catch {
    // Only exotic objects get here (a proxy whose traps throw): what cannot be read is not sent.
    walker.findings.push({ rule: 'unscannable', path: '$' });
  }
  return walker.findings;
}
