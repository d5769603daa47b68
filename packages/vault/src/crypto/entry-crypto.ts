import type { Token } from '@residency/core';
import { DecryptionError } from '../errors.ts';
import type { IndexRef } from '../store/vault-store.ts';
import type { DataKeyResolver } from './data-key-resolver.ts';
import { entryAad } from './encryption-context.ts';
import { type DataKeyMaterial, envelopeDataKeyId, openEnvelope, sealEnvelope } from './envelope.ts';
import type { RandomPool } from './random-pool.ts';

/**
 * Seals a normalized identifier for its entry: the AAD binds vault, kind, index version, blind
 * index and token. The plaintext bytes are zeroed once sealed.
 */
export function sealEntryValue(
  material: DataKeyMaterial,
  vault: string,
  ref: IndexRef,
  token: Token,
  value: string,
  random: RandomPool,
): Buffer {
  const aad = entryAad({ vault, ...ref, token });
  const plaintext = Buffer.from(value, 'utf8');
  try {
    return sealEnvelope(material, plaintext, aad, random);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Opens an entry's envelope, verifying its encryption context against the ref and token the
 * caller looked up. A mismatch (an envelope moved to another entry) fails like tampering.
 */
export async function openEntryValue(
  resolver: DataKeyResolver,
  vault: string,
  entry: { ref: IndexRef; token: Token; envelope: Uint8Array },
): Promise<string> {
  const aad = entryAad({ vault, ...entry.ref, token: entry.token });
  try {
    return await resolver.withDataKey(envelopeDataKeyId(entry.envelope), (material) => {
      const plaintext = openEnvelope(material, entry.envelope, aad);
      const value = plaintext.toString('utf8');
      plaintext.fill(0);
      return value;
    });
  } catch (error) {
    if (error instanceof DecryptionError && error.token === undefined) {
      throw new DecryptionError(error.message, entry.token, { cause: error.cause ?? error });
    }
    throw error;
  }
}
