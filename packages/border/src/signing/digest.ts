import { createHash } from 'node:crypto';

/**
 * SHA-256 of a request body, as lowercase hex: the digest the egress log records for each batch
 * that crossed the border, and which the control plane can recompute from what it received.
 *
 * @example digestBody(Buffer.from('[]')) // '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'
 */
export function digestBody(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}
