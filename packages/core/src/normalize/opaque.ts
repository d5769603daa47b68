import { foldIdentifier } from './fold.ts';
import { invalid, type Normalized } from './result.ts';

/** Longest opaque identifier accepted (patient numbers, doctor ids, appointment ids). */
export const MAX_OPAQUE_ID_LENGTH = 128;

/**
 * Normalizes an application identifier (patient number, doctor id): Unicode folded and trimmed,
 * case kept (ids like `P-00a1` and `P-00A1` may be different records).
 *
 * @example normalizeOpaque(' P-000123 ') // { ok: true, value: 'P-000123' }
 */
export function normalizeOpaque(raw: string): Normalized {
  const text = foldIdentifier(raw).trim();
  if (text.length === 0) return invalid('invalid_identifier', 'empty');
  if (text.length > MAX_OPAQUE_ID_LENGTH)
    return invalid('invalid_identifier', `longer than ${MAX_OPAQUE_ID_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001F\u007F]/.test(text)) return invalid('invalid_identifier', 'contains control characters');
  return { ok: true, value: text };
}
