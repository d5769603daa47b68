import { createHash } from 'node:crypto';
import type { BatchKind } from './chunk.ts';

/**
 * A batch id derived from the batch's content: the same items always get the same id, so a batch
 * re-sent after a Lambda retry or a control-plane outage is recognized and not stored twice.
 * Formatted as an RFC 9562 UUIDv8 (custom) from the first 128 bits of SHA-256(kind, body).
 *
 * @example batchIdFor('records', '[{"recordId":"..."}]') // '3f0c...-....-8...-....-............'
 */
export function batchIdFor(kind: BatchKind, body: string): string {
  const digest = createHash('sha256').update(`residency.batch.v1\n${kind}\n`).update(body).digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
