import { type KeyObject, sign } from 'node:crypto';
import { ed25519PrivateKey, ed25519PublicKey, keyIdFor } from './keys.ts';
import { encodeSignedBatch, SIGNED_BATCH_HEADERS, type SignedBatchFields } from './wire-format.ts';

/** Options of {@link createBatchSigner}. */
export interface BatchSignerOptions {
  /** The Ed25519 private key, as a KeyObject or PKCS#8 PEM. */
  privateKey: KeyObject | string;
  /** The name the control plane knows the public key by. Default: {@link keyIdFor} of the public key. */
  keyId?: string;
}

/** Signs batch bodies with one key. Holds the private key; exposes only signatures. */
export interface BatchSigner {
  readonly keyId: string;
  /** Standard base64 of the Ed25519 signature over exactly these bytes. */
  sign(body: Uint8Array): string;
}

/**
 * Creates a signer for the forwarder. Ed25519: the control plane verifies with the public key
 * and cannot forge a batch (an HMAC would let it).
 *
 * @throws BorderConfigurationError when the key is not an Ed25519 private key.
 * @example
 * const signer = createBatchSigner({ privateKey: privateKeyPem, keyId: 'forwarder-2026-11' });
 * const signature = signer.sign(bodyBytes);
 */
export function createBatchSigner(options: BatchSignerOptions): BatchSigner {
  const privateKey = ed25519PrivateKey(options.privateKey);
  const keyId = options.keyId ?? keyIdFor(ed25519PublicKey(privateKey));
  return {
    keyId,
    sign: (body) => sign(null, body, privateKey).toString('base64'),
  };
}

/** A signed batch as an HTTP request: the exact body bytes and the headers that go with them. */
export interface SignedBatchRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Encodes a batch (see {@link encodeSignedBatch}) under the signer's key id and signs it: the
 * request the forwarder sends. Sign each attempt afresh: `sentAt` is the attempt's time.
 *
 * @example
 * signBatchRequest(signer, { batchId, sentAt: new Date().toISOString(), kind: 'records', count: items.length }, JSON.stringify(items))
 */
export function signBatchRequest(
  signer: BatchSigner,
  fields: Omit<SignedBatchFields, 'keyId'>,
  itemsJson: string,
): SignedBatchRequest {
  const body = encodeSignedBatch({ ...fields, keyId: signer.keyId }, itemsJson);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIGNED_BATCH_HEADERS.signature]: signer.sign(body),
      [SIGNED_BATCH_HEADERS.keyId]: signer.keyId,
      [SIGNED_BATCH_HEADERS.batchId]: fields.batchId,
      [SIGNED_BATCH_HEADERS.timestamp]: fields.sentAt,
    },
  };
}
