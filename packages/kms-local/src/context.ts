import type { Keystore } from './keystore.ts';

/** What every operation gets: the key store and the identity of this endpoint. */
export interface OperationContext {
  store: Keystore;
  region: string;
  accountId: string;
  clock: () => Date;
}

/** An operation handler: validated JSON in, JSON out (blobs as base64, dates as epoch seconds). */
export type Operation = (body: unknown, ctx: OperationContext) => Promise<Record<string, unknown>>;

/** Epoch seconds, the JSON 1.1 timestamp format, from epoch milliseconds. */
export function epochSeconds(millis: number): number {
  return millis / 1000;
}

/** Base64 of a buffer that may hold a secret, zeroing the buffer afterwards. */
export function toBase64AndZero(bytes: Buffer): string {
  try {
    return bytes.toString('base64');
  } finally {
    bytes.fill(0);
  }
}
