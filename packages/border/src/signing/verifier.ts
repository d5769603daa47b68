import { type KeyObject, verify } from 'node:crypto';
import { needs } from '@residency/core';
import { ed25519PublicKey } from './keys.ts';
import { SIGNED_BATCH_HEADERS, type SignedBatch, SignedBatchSchema } from './wire-format.ts';

/** Why a batch was refused. Stable codes: the control plane answers with them and counts them. */
export type BatchRejection =
  | 'missing-signature'
  | 'unknown-key'
  | 'retired-key'
  | 'bad-signature'
  | 'malformed'
  | 'stale'
  | 'future';

/** The outcome of {@link BatchVerifier.verify}: a verified batch, or why not. */
export type BatchVerification = { ok: true; batch: SignedBatch } | { ok: false; reason: BatchRejection };

/** A received request: the exact body bytes and its headers (names in any case). */
export interface ReceivedBatch {
  body: Uint8Array;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Options of {@link createBatchVerifier}. */
export interface BatchVerifierOptions {
  /** Public keys by key id, as KeyObjects or SPKI PEM. Several at once during a rotation. */
  keys: Readonly<Record<string, KeyObject | string>>;
  /** How far `sentAt` may be from now, either way. Default: 300000 (5 minutes). */
  maxSkewMillis?: number;
  /** The clock, epoch millis. Default: `Date.now`. */
  now?: () => number;
  /** Key ids that must no longer be accepted (rotated out or compromised), even if still in `keys`. Default: none. */
  retiredKeyIds?: readonly string[];
}

/** Verifies signed batches against a set of public keys. */
export interface BatchVerifier {
  /** Never throws on any input: every refusal is a {@link BatchRejection}. */
  verify(received: ReceivedBatch): BatchVerification;
}

const DEFAULT_MAX_SKEW_MILLIS = 300_000;
/** An Ed25519 signature is 64 bytes: 88 characters of padded standard base64. */
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{86}==$/;

/** A header's single value; a header sent twice is ambiguous and counts as absent. */
function header(headers: ReceivedBatch['headers'], name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parse(body: Uint8Array): SignedBatch | undefined {
  try {
    const result = SignedBatchSchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(body: Uint8Array, key: KeyObject, signature: string): boolean {
  if (!SIGNATURE_BASE64.test(signature)) return false;
  try {
    return verify(null, body, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Creates the control plane's verifier. In order: the signature header is present; the key id
 * is not retired and is known; the Ed25519 signature over the exact body bytes is valid (before
 * anything in the body is parsed or trusted); the body is a well-formed {@link SignedBatch} whose
 * key id, batch id and `sentAt` match the headers; and `sentAt` is within `maxSkewMillis` of now.
 *
 * Replay: freshness bounds how long a captured batch can be replayed. Within that window a replay
 * is an exact duplicate of a batch already received (same bytes, same `batchId`); the control
 * plane's store dedupes on `batchId`, and that, not this verifier, is the replay protection.
 *
 * @throws BorderConfigurationError at creation when a key is not an Ed25519 public key.
 * @example
 * const verifier = createBatchVerifier({ keys: { [keyId]: publicKeyPem } });
 * const result = verifier.verify({ body: rawBodyBuffer, headers: req.headers });
 * if (!result.ok) reply(401, result.reason);
 */
export function createBatchVerifier(options: BatchVerifierOptions): BatchVerifier {
  const maxSkewMillis = options.maxSkewMillis ?? DEFAULT_MAX_SKEW_MILLIS;
  needs(
    Number.isFinite(maxSkewMillis) && maxSkewMillis >= 0,
    'Precondition: maxSkewMillis is a finite, non-negative number',
  );
  const now = options.now ?? Date.now;
  const retired = new Set(options.retiredKeyIds ?? []);
  const keys = new Map(Object.entries(options.keys).map(([id, key]) => [id, ed25519PublicKey(key)]));

  return {
    verify({ body, headers }) {
      const signature = header(headers, SIGNED_BATCH_HEADERS.signature);
      if (signature === undefined) return { ok: false, reason: 'missing-signature' };
      const keyId = header(headers, SIGNED_BATCH_HEADERS.keyId);
      if (keyId === undefined) return { ok: false, reason: 'malformed' };
      if (retired.has(keyId)) return { ok: false, reason: 'retired-key' };
      const key = keys.get(keyId);
      if (key === undefined) return { ok: false, reason: 'unknown-key' };
      if (!signatureValid(body, key, signature)) return { ok: false, reason: 'bad-signature' };

      // Postcondition of the above: the body bytes were signed by the holder of `keyId`.
      const batch = parse(body);
      if (
        batch === undefined ||
        batch.keyId !== keyId ||
        batch.batchId !== header(headers, SIGNED_BATCH_HEADERS.batchId) ||
        batch.sentAt !== header(headers, SIGNED_BATCH_HEADERS.timestamp)
      ) {
        return { ok: false, reason: 'malformed' };
      }
      const ageMillis = now() - Date.parse(batch.sentAt);
      if (ageMillis > maxSkewMillis) return { ok: false, reason: 'stale' };
      if (ageMillis < -maxSkewMillis) return { ok: false, reason: 'future' };
      return { ok: true, batch };
    },
  };
}
