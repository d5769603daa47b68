import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import { EventValidationError, type FieldIssue } from '../errors.ts';
import { createCachedNormalizer, type IdentifierNormalizer } from '../normalize/cache.ts';
import { tenantScoped } from '../normalize/opaque.ts';
import type { PiiRuleId } from '../pii/rules.ts';
import { scanRecord } from '../pii/scan-record.ts';
import { rulesIn } from '../pii/scan-value.ts';
import { isWellFormed, type UnsafeCharacter, unsafeCharacterIn } from '../text.ts';
import type { CompiledCatalog, CompiledEvent } from './catalog.ts';
import type { Generalizer } from './classes.ts';
import { type Generalized, generalize, hasFourDigitYear, isoTimeMillis } from './generalize.ts';
import { isAttributeNumber } from './outbound.ts';

/** A normalized identifier of a validated event. `value` is personal data: memory only, never logged. */
export interface IdentifierValue {
  field: string;
  kind: string;
  egress: 'token' | 'link';
  value: string;
  subject: boolean;
  /** The token is a keyed HMAC with no vault entry (`token: 'keyed'` in the catalog). */
  keyed: boolean;
}

/** An event that passed its schema, with identifiers normalized. */
export interface ValidatedEvent {
  def: CompiledEvent;
  /** Parsed fields (unknown input keys already stripped). */
  data: Record<string, unknown>;
  identifiers: readonly IdentifierValue[];
  occurredAtMillis: number;
}

/** Outcome of {@link validateEvent}: a value, not an exception; bad input is expected input. */
export type ValidationResult =
  | { ok: true; event: ValidatedEvent }
  | { ok: false; reason: 'not_an_object' | 'unknown_type' | 'invalid'; error: EventValidationError };

/** What validation needs to know about tenants. */
export interface ValidateOptions {
  /** The tenant's country, for local phone formats. Default: `BD` for every tenant. */
  countryOf?: (tenantId: string) => CountryCode;
  /**
   * Normalizes identifiers. Pass `normalizeIdentifier` to run the normalizers every time, or the
   * `normalize` of a `createCachedNormalizer()` of your own size. Default: one process-wide
   * cached normalizer (bounded LRU of 10,000 entries, memory only).
   */
  normalizer?: IdentifierNormalizer;
}

// One per process: a warm Lambda container keeps the identifiers it has already normalized, so a
// phone seen again (a redelivered or retried batch, a patient registering at a second clinic)
// skips libphonenumber. A phone seen once still costs a parse: the cache does not help there.
const sharedNormalizer = createCachedNormalizer();

/**
 * Validates one decoded event against its catalog: picks the schema by `type` and
 * `schemaVersion`, strips unknown fields, normalizes identifiers, and checks that every
 * quasi-identifier can be generalized. Errors name fields and reasons, never values.
 *
 * @example
 * const result = validateEvent(clinicbook, JSON.parse(line));
 * if (!result.ok) console.error(result.error.message);
 */
export function validateEvent(
  catalog: CompiledCatalog,
  input: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('not_an_object', [
      { path: '', code: 'invalid_type', message: 'event must be a JSON object' },
    ]);
  }
  const { type, schemaVersion } = input as { type?: unknown; schemaVersion?: unknown };
  if (typeof type !== 'string' || !catalog.events.has(type)) {
    return fail('unknown_type', [
      { path: 'type', code: 'unknown_type', message: `not an event type of catalog ${catalog.name}` },
    ]);
  }
  const def = catalog.get(type, typeof schemaVersion === 'number' ? schemaVersion : Number.NaN);
  if (!def) {
    return fail(
      'unknown_type',
      [{ path: 'schemaVersion', code: 'unknown_version', message: `not a known version of ${type}` }],
      type,
    );
  }
  let parsed: ReturnType<typeof def.schema.safeParse>;
  try {
    parsed = def.schema.safeParse(input);
  } catch {
    // A recursive field schema (`z.json()`, `z.lazy`) walks the input one stack frame per level, so
    // a value nested deep enough overflows the stack (a RangeError), and a catalog's refinement may
    // throw on input it did not expect. Bad input is a value here: a throw would fail the batch,
    // which Lambda retries until the record expires.
    return fail('invalid', [{ path: '', code: 'unparseable', message: UNPARSEABLE }], type);
  }
  if (!parsed.success)
    return fail(
      'invalid',
      parsed.error.issues.map((issue) => toFieldIssue(issue, def)),
      type,
    );
  const data = parsed.data as Record<string, unknown>;
  const occurredAt = data.occurredAt as string;
  const occurredAtMillis = Date.parse(occurredAt);
  const country = options.countryOf?.(data.tenantId as string) ?? 'BD';
  const normalize = options.normalizer ?? sharedNormalizer.normalize;
  const context = { country };
  const issues: FieldIssue[] = [];
  const identifiers: IdentifierValue[] = [];
  for (const field of def.fields) {
    const value = data[field.name];
    if (value === undefined) continue;
    const meta = field.meta;
    if (meta.class === 'identifier') {
      const raw = String(value);
      if (!isWellFormed(raw))
        issues.push({ path: field.name, code: 'invalid_unicode', message: NOT_UNICODE });
      else {
        const normalized = normalize(meta.normalizer, raw, context);
        if (!normalized.ok)
          issues.push({ path: field.name, code: normalized.code, message: normalized.reason });
        else {
          identifiers.push({
            field: field.name,
            kind: meta.kind,
            egress: meta.egress,
            value:
              meta.normalizer === 'opaque'
                ? tenantScoped(data.tenantId as string, normalized.value)
                : normalized.value,
            subject: meta.subject === true,
            keyed: meta.token === 'keyed',
          });
        }
      }
    } else if (meta.class === 'quasi') {
      const generalized = checkGeneralizable(meta.generalize, value, occurredAt, occurredAtMillis);
      if (!generalized.ok)
        issues.push({ path: field.name, code: 'not_generalizable', message: generalized.reason });
    } else if (meta.class === 'public') {
      const unsafe = field.visibleBySchema ? undefined : unsafeTextIn(value, 0);
      if (unsafe === 'lone_surrogate') {
        issues.push({ path: field.name, code: 'invalid_unicode', message: NOT_UNICODE });
        continue;
      }
      // The PII scan still runs (it folds these characters away): the quarantine should say when a
      // hidden character was hiding personal data.
      if (unsafe) issues.push({ path: field.name, code: 'control_character', message: UNSAFE[unsafe] });
      // One label, one value: a district typed on two keyboards ('ড়' as U+09DC or as U+09A1 U+09BC,
      // 'é' precomposed or not, 'ward 12' with a no-break or an ideographic space, ' ward 12' or
      // 'ward  12') is one aggregate cell and one value downstream, not two.
      const form = typeof value === 'string' && !field.visibleBySchema ? labelForm(value) : value;
      // The form is what leaves the region and becomes a dimension, so it is scanned, and the value
      // as sent as well when the two differ: collapsing spaces can make a match ('rahim    gmail
      // com' is read as an address only once its spaces are one).
      const rules =
        form === value ? personalDataIn(value) : unionOf(personalDataIn(value), personalDataIn(form));
      if (rules.length > 0)
        issues.push({
          path: field.name,
          code: 'personal_data',
          message: `looks like personal data (${rules.join(', ')}); a public field leaves the region as it is`,
        });
      // NFC can lengthen a text (a composition exclusion becomes two code units), past the field's
      // bound and the exit's, and trimming can empty it: checked again, rarely (only when the form
      // changed).
      if (form !== value) {
        if (field.schema.safeParse(form).success) data[field.name] = form;
        else issues.push({ path: field.name, code: 'not_normalizable', message: NOT_NORMALIZABLE });
      }
      // Refused here, in region, rather than at the exit or by the control plane's store.
      if (typeof value === 'number' && !isAttributeNumber(value))
        issues.push({ path: field.name, code: 'number_out_of_range', message: NUMBER_OUT_OF_RANGE });
    }
  }
  if (issues.length > 0) return fail('invalid', issues, type);
  return { ok: true, event: { def, data, identifiers, occurredAtMillis } };
}

/**
 * The PII rules a public field's value fires: the exit's scanner, run at the entry too. A public
 * value is forwarded as it is and may be an aggregate dimension, so a phone number typed into a
 * label must stop here, in the sealed quarantine, not at the exit after the outbox and the
 * aggregates have held it in clear. The exit still scans everything (a second line).
 */
function personalDataIn(value: unknown): readonly PiiRuleId[] {
  if (typeof value === 'string') return rulesIn(value);
  if (typeof value === 'boolean') return NO_RULES;
  return scanRecord(value).map((finding) => finding.rule);
}

const NO_RULES: readonly PiiRuleId[] = Object.freeze([]);

/** The stored form of a public label: NFC, every space a plain one, no space at its ends or twice in a row. */
function labelForm(value: string): string {
  const form = NON_ASCII.test(value) ? value.normalize('NFC').replace(WIDE_SPACES, ' ') : value;
  return hasLooseSpaces(form) ? form.trim().replace(SPACE_RUNS, ' ') : form;
}

/** The rules of either list, each once, in the order of `a` then `b`. */
function unionOf(a: readonly PiiRuleId[], b: readonly PiiRuleId[]): readonly PiiRuleId[] {
  return b.length === 0 ? a : [...new Set([...a, ...b])];
}

/**
 * Spaces that show as a plain space (no-break, the fixed-width ones of U+2000..U+200A, narrow
 * no-break, medium mathematical, ideographic): a public label holds U+0020 instead.
 */
const WIDE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;

/** Anything but printable ASCII, which every normalization form leaves as it is. */
const NON_ASCII = /[^ -~\t\n\r]/;
/** Two spaces or more, inside a label. */
const SPACE_RUNS = / {2,}/g;

/** A space at either end of a label, or two in a row (cheap: most labels have none). */
function hasLooseSpaces(text: string): boolean {
  return text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32 || text.includes('  ');
}

const UNPARSEABLE = 'the event could not be checked against its schema (nested too deeply?)';
const NOT_UNICODE = 'contains a lone surrogate: not Unicode text';
const NOT_NORMALIZABLE =
  'in its one form (NFC, plain single spaces, none at the ends) the value no longer fits the field';

const SHOWN_AS_IS = 'a public value leaves the region as it is';
const NUMBER_OUT_OF_RANGE =
  'a public number is at most 2^53 - 1 and, unless 0, at least 1e-130 in magnitude (what DynamoDB and JavaScript keep exactly)';
/** Issue messages of code `control_character`, by kind; they name the kind, never the character. */
const UNSAFE: Readonly<Record<Exclude<UnsafeCharacter, 'lone_surrogate'>, string>> = {
  control: `contains a control character (C0 or C1, DEL, TAB, CR, LF, ESC) or a line separator: ${SHOWN_AS_IS}`,
  bidi: `contains a bidirectional control (mark, embedding, override or isolate): ${SHOWN_AS_IS}`,
  tag: `contains Unicode tag characters (invisible ASCII): ${SHOWN_AS_IS}`,
  invisible: `contains an invisible character (zero-width, joiner, BOM, soft hyphen, format): ${SHOWN_AS_IS}`,
  variation_selector: `contains a variation selector with no character to vary: ${SHOWN_AS_IS}`,
};

/** Levels of a public value checked for unsafe characters; the PII scan stops deeper ones (64). */
const MAX_TEXT_DEPTH = 64;

/**
 * The first unsafe character in the strings and keys of a public value (see `unsafeCharacterIn`),
 * which leaves the region as it is.
 *
 * A lone surrogate: JSON may escape half a surrogate pair (`"\ud800"`); UTF-8 cannot encode it, so
 * the vault's HMAC and AES-GCM and the SDKs would replace it with U+FFFD: `P-\ud800` and
 * `P-\udbff` would get one blind index (two people, one token) and reveal as neither, and two
 * labels one aggregate cell in the table but two in memory.
 *
 * The others (controls, bidi, zero-width, tags) hide text from a reviewer, forge lines in the
 * control plane's logs, or carry an identifier past a scanner that does not fold them. One pattern
 * test per string when there is none, which is nearly always.
 */
function unsafeTextIn(value: unknown, depth: number): UnsafeCharacter | undefined {
  if (typeof value === 'string') return unsafeCharacterIn(value);
  if (typeof value !== 'object' || value === null || depth >= MAX_TEXT_DEPTH) return undefined;
  // A lone surrogate anywhere wins: the value is then not text, and is not scanned.
  let first: UnsafeCharacter | undefined;
  const visit = (unsafe: UnsafeCharacter | undefined): boolean => {
    first ??= unsafe;
    return unsafe === 'lone_surrogate';
  };
  if (Array.isArray(value)) {
    for (const item of value) if (visit(unsafeTextIn(item, depth + 1))) return 'lone_surrogate';
    return first;
  }
  for (const [key, item] of Object.entries(value)) {
    if (visit(unsafeCharacterIn(key)) || visit(unsafeTextIn(item, depth + 1))) return 'lone_surrogate';
  }
  return first;
}

const GENERALIZABLE: Generalized = Object.freeze({ ok: true, value: '' });

/**
 * Whether `generalize` accepts the value, without building the generalized value: that is
 * `toOutbound`'s job, and for dates its `toISOString` costs about 1 µs. `hour` and `day`
 * generalize every string that `Date.parse` reads to a time of four-digit years, so only a
 * failure goes to `generalize`, which gives the reason; the other kinds are cheap and always go
 * to it. The value in an ok result is empty: only `ok` is read.
 */
function checkGeneralizable(
  g: Generalizer,
  value: unknown,
  occurredAt: unknown,
  occurredAtMillis: number,
): Generalized {
  if ((g.kind === 'hour' || g.kind === 'day') && typeof value === 'string') {
    // `occurredAt` itself is already parsed: do not parse it twice.
    const millis = value === occurredAt ? occurredAtMillis : isoTimeMillis(value);
    if (hasFourDigitYear(millis)) return GENERALIZABLE;
  }
  return generalize(g, value, { occurredAtMillis });
}

// Zod 4 issues carry no input unless asked to (reportInput), but a path or a message can still
// name a KEY of the input (a record's keys, an unrecognized key), and a key can be a phone
// number. The top segment is a field of the schema (unknown keys are stripped); below it, only
// array indices are kept. Messages that list keys are replaced.
function toFieldIssue(issue: z.core.$ZodIssue, def: CompiledEvent): FieldIssue {
  const path = issue.path
    .map((segment, depth) =>
      typeof segment === 'number'
        ? String(segment)
        : depth === 0 && typeof segment === 'string' && Object.hasOwn(def.schema.shape, segment)
          ? segment
          : '?',
    )
    .join('.');
  const message = issue.code === 'unrecognized_keys' ? 'unrecognized keys' : issue.message;
  return { path, code: issue.code, message };
}

function fail(
  reason: 'not_an_object' | 'unknown_type' | 'invalid',
  issues: FieldIssue[],
  type?: string,
): ValidationResult {
  return { ok: false, reason, error: new EventValidationError(issues, type) };
}
