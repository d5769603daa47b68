import { scanValue } from '@residency/core';
import { z } from 'zod';
import type { AccessIssue } from './errors.ts';

/** The audited, authorized operations of the vault. */
export type AdminAction = 'detokenize' | 'export' | 'erase' | 'reindex' | 'lookup';

/**
 * What an actor may look like: a principal name, e.g. an IAM ARN
 * (`arn:aws:iam::123456789012:role/dpo`) or an operator name (`alice`). A letter, then letters,
 * digits and the characters IAM allows in names and ARNs (`_+=,.@:/-`); at most 256. No spaces,
 * no `+` or digit first: a phone number does not fit, and the PII scan catches the rest.
 */
export const ACTOR_PATTERN = /^[A-Za-z][A-Za-z0-9_+=,.@:/-]{0,255}$/;

/**
 * What a purpose may look like: a ticket reference or a short reason (`DSAR-2026-014`,
 * `erasure request 12`, `JIRA-4411 subject access`). Letters, digits, space and `-_/.:#`; at most
 * 128. No `@`, `+`, quotes, commas or brackets: no room for an address or a pasted message.
 */
export const PURPOSE_PATTERN = /^[A-Za-z0-9#][A-Za-z0-9 _/.:#-]{0,127}$/;

/** Longer text is refused as `pattern` before it is scanned. */
const MAX_SCANNED_LENGTH = 1024;

/**
 * Digits a purpose may hold in one run (digit groups joined by single `._/:#-`): a phone number
 * has at least 10, an Aadhaar 12, a BD NID 10, 13 or 17, while a ticket reference
 * (`DSAR-2026-014`) or a date (`2026-01-15`) has fewer. A run of more is refused as `pii`
 * (`digits`) whatever the core scan says: the scan misses spellings such as `98765.43210`, and a
 * purpose is stored in clear. The actor has no such rule: an ARN holds a 12-digit account id,
 * and an actor is kept as text only once the policy lists it.
 */
export const PURPOSE_MAX_DIGIT_RUN = 9;
const JOINED_DIGITS = /[0-9]+(?:[._/:#-][0-9]+)*/g;

/** `digits` if a purpose holds a run of more than {@link PURPOSE_MAX_DIGIT_RUN} digits. */
function purposeDigitRules(text: string): string[] {
  for (const match of text.matchAll(JOINED_DIGITS)) {
    if (match[0].replace(/[^0-9]/g, '').length > PURPOSE_MAX_DIGIT_RUN) return ['digits'];
  }
  return [];
}

/** Who asks and why, as the vault accepts them (see {@link checkAccessRequest}). */
export interface AccessRequest {
  /** The principal (an IAM ARN, an operator name): {@link ACTOR_PATTERN}. */
  actor: string;
  /** Why (a ticket id, "DSAR-2026-014"): {@link PURPOSE_PATTERN}. Required: the audit log must say why. */
  purpose: string;
}

/**
 * Checks who and why before anything else: each is trimmed, must be present, must not fire the
 * core PII scan (`scanValue`: phone numbers, emails, national ids, ... in any spelling), a purpose
 * no digit run longer than {@link PURPOSE_MAX_DIGIT_RUN}, and each must fit
 * {@link ACTOR_PATTERN} / {@link PURPOSE_PATTERN}. The issues name the field and the reason,
 * never the text. Extra properties are ignored.
 *
 * Names are not detectable by any scan: a purpose like `call from Rahim` passes. The pattern keeps
 * purposes short; operators write ticket references (docs: the vault README).
 *
 * @example checkAccessRequest({ actor: 'alice', purpose: 'DSAR-2026-014' }) // { ok: true, access }
 */
export function checkAccessRequest(
  raw: unknown,
): { ok: true; access: AccessRequest } | { ok: false; issues: AccessIssue[] } {
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const issues: AccessIssue[] = [];
  const actor = checkField(fields.actor, 'actor', ACTOR_PATTERN, issues);
  const purpose = checkField(fields.purpose, 'purpose', PURPOSE_PATTERN, issues, purposeDigitRules);
  if (actor === undefined || purpose === undefined) return { ok: false, issues };
  return { ok: true, access: { actor, purpose } };
}

function checkField(
  value: unknown,
  field: AccessIssue['field'],
  pattern: RegExp,
  issues: AccessIssue[],
  moreRules: (text: string) => string[] = () => [],
): string | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) {
    issues.push({ field, code: 'missing' });
    return undefined;
  }
  if (text.length > MAX_SCANNED_LENGTH) {
    issues.push({ field, code: 'pattern' });
    return undefined;
  }
  const rules: string[] = scanValue(text).map((finding) => finding.rule);
  if (rules.length === 0) rules.push(...moreRules(text));
  if (rules.length > 0) {
    issues.push({ field, code: 'pii', rules });
    return undefined;
  }
  if (!pattern.test(text)) {
    issues.push({ field, code: 'pattern' });
    return undefined;
  }
  return text;
}

/**
 * Who asks and why, as a schema: the same checks as {@link checkAccessRequest}, each refusal an
 * issue at `actor` or `purpose` whose message names the reason, never the text.
 */
export const AccessRequestSchema: z.ZodType<AccessRequest, { actor: string; purpose: string }> = z
  .object({ actor: z.string(), purpose: z.string() })
  .transform((raw, ctx) => {
    const checked = checkAccessRequest(raw);
    if (checked.ok) return checked.access;
    for (const issue of checked.issues) {
      ctx.addIssue({
        code: 'custom',
        path: [issue.field],
        message: issue.code === 'pii' ? `looks like personal data (${issue.rules?.join(', ')})` : issue.code,
      });
    }
    return z.NEVER;
  });

/**
 * The shape of a text an audit record may keep instead of the text: letters as `a`, digits as
 * `9`, the separators of {@link ACTOR_PATTERN} as themselves, anything else as `?`, runs counted
 * (`01711234567` is `9{11}`, `alice` is `a{5}`). At most 64 characters.
 *
 * @example shapeOf('arn:aws:iam::123456789012:role/dpo') // 'a{3}:a{3}:a{3}:{2}9{12}:a{4}/a{3}'
 */
export function shapeOf(text: string): string {
  let out = '';
  let last = '';
  let run = 0;
  const flush = () => {
    if (run > 0) out += run > 1 ? `${last}{${run}}` : last;
  };
  for (const char of text.slice(0, 256)) {
    const mapped = /[A-Za-z]/.test(char)
      ? 'a'
      : /[0-9]/.test(char)
        ? '9'
        : /[_+=,.@:/#-]/.test(char)
          ? char
          : '?';
    if (mapped === last) run += 1;
    else {
      flush();
      last = mapped;
      run = 1;
    }
  }
  flush();
  if (text.length > 256) out += '…';
  return out.length > 64 ? `${out.slice(0, 63)}…` : out;
}

/** Decides whether `actor` may perform `action`. Denials are audited by the vault. */
export type AuthorizePolicy = (actor: string, action: AdminAction) => boolean | Promise<boolean>;

/** The default policy: nobody may detokenize, export, erase or re-index. */
export const denyAll: AuthorizePolicy = () => false;

/**
 * An allowlist policy: one list for every action, or a list per action (actions not listed are
 * denied). `*` is not a wildcard: every principal is named.
 *
 * @example createAllowlistPolicy(['arn:aws:iam::123456789012:role/dpo'])
 * @example createAllowlistPolicy({ detokenize: ['alice'], erase: ['dpo'] })
 */
export function createAllowlistPolicy(
  principals: readonly string[] | Partial<Record<AdminAction, readonly string[]>>,
): AuthorizePolicy {
  if (Array.isArray(principals)) {
    const allowed = new Set(principals as readonly string[]);
    return (actor) => allowed.has(actor);
  }
  const byAction = new Map(
    Object.entries(principals as Partial<Record<AdminAction, readonly string[]>>).map(([action, list]) => [
      action,
      new Set(list),
    ]),
  );
  return (actor, action) => byAction.get(action)?.has(actor) ?? false;
}

/** Name of the environment variable listing the admin principals, comma-separated. */
export const PRINCIPALS_ENV = 'DETOKENIZE_PRINCIPALS';

/**
 * The allowlist from `DETOKENIZE_PRINCIPALS` (comma-separated; blanks ignored). Unset or empty
 * means {@link denyAll}: fail closed.
 *
 * @example policyFromEnv(process.env)
 */
export function policyFromEnv(env: Readonly<Record<string, string | undefined>>): AuthorizePolicy {
  const list = (env[PRINCIPALS_ENV] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return list.length === 0 ? denyAll : createAllowlistPolicy(list);
}
