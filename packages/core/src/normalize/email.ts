import { z } from 'zod';
import { foldIdentifier } from './fold.ts';
import { invalid, type Normalized } from './result.ts';

const EmailSchema = z.email();

// Providers known to ignore dots and '+tag' in the local part; elsewhere both can be significant.
const DOT_INSENSITIVE = new Map([
  ['gmail.com', 'gmail.com'],
  ['googlemail.com', 'gmail.com'],
]);

/**
 * Normalizes an email address: Unicode folded, trimmed, lower-cased (mailbox names are
 * case-insensitive in practice everywhere we have seen), and for Gmail dots and `+tag` removed
 * from the local part so one inbox is one identifier. Other domains keep dots and tags.
 *
 * @example normalizeEmail(' Rahim.Uddin+clinic@GoogleMail.com') // { ok: true, value: 'rahimuddin@gmail.com' }
 */
export function normalizeEmail(raw: string): Normalized {
  const text = foldIdentifier(raw).trim().toLowerCase();
  if (text.length > 254 || !EmailSchema.safeParse(text).success) {
    return invalid('invalid_email', 'not a valid email address');
  }
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  const canonical = DOT_INSENSITIVE.get(domain);
  if (!canonical) return { ok: true, value: text };
  const mailbox = local.split('+')[0]?.replaceAll('.', '') ?? '';
  if (mailbox.length === 0) return invalid('invalid_email', 'empty mailbox');
  return { ok: true, value: `${mailbox}@${canonical}` };
}
