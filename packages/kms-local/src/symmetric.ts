import { openBlob, readBlobHeader, sealBlob } from './blob.ts';
import type { OperationContext } from './context.ts';
import { KmsApiError } from './errors.ts';
import type { KeyRecord } from './key-record.ts';
import { arnOf, findKey, requireSymmetricAlgorithm, requireUsable } from './resolve.ts';
import { rotateIfDue } from './rotation.ts';

/**
 * Encrypts under a symmetric key's newest material version, binding the encryption context.
 * Precondition: the key is enabled and made for ENCRYPT_DECRYPT, and `algorithm`, when given,
 * is SYMMETRIC_DEFAULT.
 */
export async function encryptWithKey(
  ctx: OperationContext,
  key: KeyRecord,
  plaintext: Buffer,
  context: Record<string, string> | undefined,
  operation: string,
  algorithm?: string,
): Promise<Buffer> {
  requireUsable(ctx, key, 'ENCRYPT_DECRYPT', operation);
  requireSymmetricAlgorithm(ctx, key, algorithm);
  await rotateIfDue(ctx, key);
  return ctx.store.withMaterial(key, undefined, (material, materialVersion) =>
    sealBlob(material, { keyId: key.keyId, materialVersion }, plaintext, context),
  );
}

/**
 * Decrypts a ciphertext blob with the key and material version it names.
 * Precondition: when the caller names a key, it is the blob's key (else IncorrectKeyException);
 * `algorithm`, when given, is SYMMETRIC_DEFAULT (else InvalidKeyUsageException).
 * Postcondition: the encryption context matched exactly (else InvalidCiphertextException).
 */
export function decryptBlob(
  ctx: OperationContext,
  blob: Buffer,
  context: Record<string, string> | undefined,
  keyIdValue: string | undefined,
  operation: string,
  algorithm?: string,
): { key: KeyRecord; plaintext: Buffer } {
  const header = readBlobHeader(blob);
  if (keyIdValue !== undefined) {
    const named = findKey(ctx, keyIdValue);
    if (named.keyId !== header.keyId) {
      throw new KmsApiError(
        'IncorrectKeyException',
        `The key ID in the request does not identify the KMS key that encrypted the ciphertext (${arnOf(ctx, named)}).`,
      );
    }
  }
  const key = ctx.store.keys.get(header.keyId);
  if (!key?.materials.some((m) => m.version === header.materialVersion)) {
    throw new KmsApiError(
      'InvalidCiphertextException',
      'The ciphertext refers to a key or key version that does not exist here',
    );
  }
  requireUsable(ctx, key, 'ENCRYPT_DECRYPT', operation);
  requireSymmetricAlgorithm(ctx, key, algorithm);
  const plaintext = ctx.store.withMaterial(key, header.materialVersion, (material) =>
    openBlob(material, blob, context),
  );
  return { key, plaintext };
}
