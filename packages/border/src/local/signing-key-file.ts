import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  generateSigningKeyPair,
  keyIdFor,
  type SigningKeyPair,
} from '../signing/index.ts';

/** Where the local stack keeps the forwarder's signing key, relative to its data directory. */
export const LOCAL_SIGNING_KEY_PATH = join('keys', 'forwarder-signing-key.pem');

/**
 * The local forwarder's Ed25519 key pair: read from `<dataDir>/keys/forwarder-signing-key.pem`, or
 * created there (mode 0600) on first use, so the control plane's public key survives restarts.
 * Local mode only: on AWS the private key lives in an SSM SecureString in the data region.
 *
 * @example const key = await loadOrCreateLocalSigningKey('.residency');
 */
export async function loadOrCreateLocalSigningKey(dataDir: string): Promise<SigningKeyPair> {
  const path = join(dataDir, LOCAL_SIGNING_KEY_PATH);
  let privateKeyPem: string;
  try {
    privateKeyPem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    privateKeyPem = generateSigningKeyPair().privateKeyPem;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, privateKeyPem, { mode: 0o600, flag: 'wx' }).catch(
      async (writeError: NodeJS.ErrnoException) => {
        // Another process created it first: use theirs.
        if (writeError.code !== 'EEXIST') throw writeError;
        privateKeyPem = await readFile(path, 'utf8');
      },
    );
    await chmod(path, 0o600);
  }
  const publicKey = ed25519PublicKey(ed25519PrivateKey(privateKeyPem));
  return {
    privateKeyPem,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdFor(publicKey),
  };
}
