import type { CompiledCatalog, ValidatedEvent, ValidateOptions } from '@residency/core';
import { validateEvent } from '@residency/core';

/** Why a record is quarantined. */
export type QuarantineReason = 'not_base64_json' | 'not_an_object' | 'unknown_type' | 'invalid';

/** A problem with a field: where and what, never the value. */
export interface IssueRef {
  path: string;
  code: string;
}

/** What one record's payload turned out to be. */
export type DecodedRecord =
  | { kind: 'valid'; event: ValidatedEvent }
  | {
      kind: 'malformed';
      reason: QuarantineReason;
      issues: readonly IssueRef[];
      /** The event type, only when it is one of the catalog's (a made-up type is input, not a label). */
      eventType?: string;
      /** The record's bytes, to be encrypted into quarantine. */
      payload: Uint8Array;
    };

const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
// Path segments are schema field names or array indices; anything else is replaced so that an
// issue can never carry a value (a record key, say) into the quarantine table or a log line.
const SAFE_SEGMENT = /^[A-Za-z0-9_]{1,64}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Standard padded base64, which Node's decoder would otherwise skim past. Checked in one linear
 * scan: the grouped pattern this replaced cost about 3 µs of a 700-byte record (`pnpm bench`).
 */
export function isBase64(data: string): boolean {
  if (data.length % 4 !== 0 || NOT_BASE64.test(data)) return false;
  const padding = data.indexOf('=');
  return (
    padding === -1 || (padding >= data.length - 2 && (padding === data.length - 1 || data.endsWith('==')))
  );
}

/**
 * Decodes one Kinesis record's data: base64, then UTF-8, then JSON, then the catalog's schema.
 * Bad input is an expected outcome and comes back as a value, never as an exception.
 *
 * @example const decoded = decodeRecord(record.kinesis.data, clinicbook);
 */
export function decodeRecord(
  data: string,
  catalog: CompiledCatalog,
  options: ValidateOptions = {},
): DecodedRecord {
  if (!isBase64(data)) {
    return malformed('not_base64_json', [{ path: '', code: 'not_base64' }], Buffer.from(data, 'utf8'));
  }
  const bytes = Buffer.from(data, 'base64');
  let input: unknown;
  try {
    input = JSON.parse(utf8.decode(bytes));
  } catch {
    return malformed('not_base64_json', [{ path: '', code: 'not_json' }], bytes);
  }
  const result = validateEvent(catalog, input, options);
  if (result.ok) return { kind: 'valid', event: result.event };
  const issues = result.error.issues.map((issue) => ({
    path: safePath(issue.path),
    code: safeCode(issue.code),
  }));
  return {
    ...malformed(result.reason, issues, bytes),
    ...(result.error.eventType ? { eventType: result.error.eventType } : {}),
  };
}

function malformed(
  reason: QuarantineReason,
  issues: readonly IssueRef[],
  payload: Uint8Array,
): DecodedRecord {
  return { kind: 'malformed', reason, issues, payload };
}

function safePath(path: string): string {
  if (path === '') return '';
  return path
    .split('.')
    .map((segment) => (SAFE_SEGMENT.test(segment) ? segment : '?'))
    .join('.');
}

function safeCode(code: string): string {
  return /^[a-z_]{1,64}$/.test(code) ? code : 'invalid';
}
