import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { BorderConfigurationError } from '../errors.ts';

/** A new Ed25519 key pair for signing batches, in PEM, with its derived key id. */
export interface SigningKeyPair {
  /** PKCS#8 PEM. Secret: store in region only (SSM SecureString, a local file in local mode). */
  privateKeyPem: string;
  /** SPKI PEM. Give it to the control plane under `keyId`. */
  publicKeyPem: string;
  keyId: string;
}

/**
 * The default id of a signing key: the first 16 hex characters of SHA-256 over the public key's
 * DER (SPKI) encoding. A hash of a public key, so it reveals nothing and names the key stably.
 *
 * @example keyIdFor(createPublicKey(publicKeyPem)) // 'c1f0a7d3e2b49a08'
 */
export function keyIdFor(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * Generates an Ed25519 key pair for the forwarder (private) and the control plane (public).
 *
 * @example const { privateKeyPem, publicKeyPem, keyId } = generateSigningKeyPair();
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdFor(publicKey),
  };
}

function asEd25519(make: () => KeyObject, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch (cause) {
    throw new BorderConfigurationError(`the ${what} is not a readable key`, what, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new BorderConfigurationError(`the ${what} is not an Ed25519 key`, what);
  }
  return key;
}

/**
 * An Ed25519 private key from a KeyObject or PEM.
 *
 * @throws BorderConfigurationError when it is not a readable Ed25519 private key.
 */
export function ed25519PrivateKey(key: KeyObject | string): KeyObject {
  return asEd25519(() => (typeof key === 'string' ? createPrivateKey(key) : key), 'signing private key');
}

/**
 * An Ed25519 public key from a KeyObject (public or private) or PEM.
 *
 * @throws BorderConfigurationError when it is not a readable Ed25519 key.
 */
export function ed25519PublicKey(key: KeyObject | string): KeyObject {
  return asEd25519(
    () => (typeof key === 'string' || key.type === 'private' ? createPublicKey(key) : key),
    'signing public key',
  );
}
