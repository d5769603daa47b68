import { PII_RULES, scanValue } from '@residency/core';
import type { OffendingItem } from './ingest-response.ts';

/** What a refusal reason that is not a code is recorded as. */
export const UNRECOGNIZED_REASON = 'unrecognized-reason';
/** What a rule id the forwarder does not know is recorded as. */
export const UNKNOWN_RULE = 'unknown';
/** What an offending path that could carry data is recorded as. */
export const WITHHELD_PATH = '$[withheld]';

/** A reason code: lower-case words joined by hyphens (`bad-signature`, `too-large`), no digits. */
const REASON_CODE = /^[a-z]{1,32}(?:-[a-z]{1,32}){0,3}$/;
/** A sanitized JSON path as both sides write it: plain keys, indexes, `[key]` / `[key#n]` for other keys. */
const SAFE_PATH = /^\$(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,63}|\[\d{1,7}\]|\[key(?:#\d{1,7})?\])*$/;
const KNOWN_RULES: ReadonlySet<string> = new Set(PII_RULES.map((rule) => rule.id));

/**
 * A refusal reason from the control plane as it may be stored in region (egress log, logs): the
 * code itself, or {@link UNRECOGNIZED_REASON}. The answer comes from across the border and may
 * echo what it was sent (an identifier, a token, an error message quoting a value): only the
 * shape of a code is kept.
 *
 * @example reasonCode('bad-signature') // 'bad-signature'; reasonCode('bad alice@example.com') // 'unrecognized-reason'
 */
export function reasonCode(reason: string): string {
  return REASON_CODE.test(reason) ? reason : UNRECOGNIZED_REASON;
}

/**
 * The control plane's list of offending items as the quarantine may keep it. Postcondition: every
 * rule is a PII rule id the forwarder knows (else {@link UNKNOWN_RULE}), every path has the
 * sanitized path grammar and trips no PII rule itself (else {@link WITHHELD_PATH}). The entry says
 * where and why, never what: a path or rule that quotes a value would put it in the quarantine.
 *
 * @example safeOffending([{ index: 0, reason: 'pii', rules: ['a@b.c'], paths: ['$.a@b.c'] }])
 * // [{ index: 0, reason: 'pii', rules: ['unknown'], paths: ['$[withheld]'] }]
 */
export function safeOffending(items: readonly OffendingItem[]): OffendingItem[] {
  return items.map((item) => ({
    index: item.index,
    reason: item.reason,
    ...(item.rules
      ? { rules: unique(item.rules.map((rule) => (KNOWN_RULES.has(rule) ? rule : UNKNOWN_RULE))) }
      : {}),
    paths: unique(item.paths.map((path) => (isSafePath(path) ? path : WITHHELD_PATH))),
  }));
}

function isSafePath(path: string): boolean {
  return SAFE_PATH.test(path) && scanValue(path).length === 0;
}

const unique = (values: string[]) => [...new Set(values)];
