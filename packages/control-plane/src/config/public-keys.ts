import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { ControlPlaneConfigurationError } from '../errors.ts';

const SETTING = 'SIGNING_PUBLIC_KEYS';
const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\s*$/;

/**
 * Parses `SIGNING_PUBLIC_KEYS` (JSON object: key id → Ed25519 public key, SPKI PEM) at cold start.
 * Precondition: every value is an SPKI PEM that node:crypto reads as an Ed25519 public key; a
 * private key is refused too (node would derive its public key, but a private key has no place
 * here). Messages name the key id, never the value.
 *
 * @example parsePublicKeys('{"k1":"-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n"}')
 */
export function parsePublicKeys(json: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = undefined;
  }
  const keys = z.record(z.string().min(1).max(64), z.string()).safeParse(raw);
  if (!keys.success || Object.keys(keys.data).length === 0) {
    throw new ControlPlaneConfigurationError(
      `${SETTING} must be a JSON object of key id to public key PEM`,
      SETTING,
    );
  }
  for (const [keyId, pem] of Object.entries(keys.data)) {
    const refuse = (why: string, cause?: unknown) =>
      new ControlPlaneConfigurationError(
        `${SETTING}: key '${keyId}' ${why}`,
        SETTING,
        cause === undefined ? undefined : { cause },
      );
    if (!SPKI_PEM.test(pem.trim())) throw refuse('is not a public key PEM (-----BEGIN PUBLIC KEY-----)');
    let type: string | undefined;
    try {
      type = createPublicKey({ key: pem, format: 'pem' }).asymmetricKeyType;
    } catch (cause) {
      throw refuse('is not a readable public key', cause);
    }
    if (type !== 'ed25519') throw refuse(`is a ${type ?? 'unknown'} key; the forwarder signs with Ed25519`);
  }
  return keys.data;
}
