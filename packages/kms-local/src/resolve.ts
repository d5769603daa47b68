import { aliasArn, keyArn, parseKeyIdentifier } from './arn.ts';
import type { OperationContext } from './context.ts';
import { KmsApiError } from './errors.ts';
import type { KeyRecord, KeyUsage } from './key-record.ts';

/** The full ARN of a key of this endpoint. */
export function arnOf(ctx: OperationContext, key: KeyRecord): string {
  return keyArn(ctx.region, ctx.accountId, key.keyId);
}

/**
 * Finds the key a `KeyId` value names: key id, key ARN, alias name or alias ARN (aliases only
 * where the operation accepts them, as in AWS). ARNs of another region or account are refused
 * with NotFoundException ("Invalid arn"), as AWS does for a key it cannot see.
 */
export function findKey(ctx: OperationContext, value: string, allowAlias = true): KeyRecord {
  const id = parseKeyIdentifier(value, ctx.region, ctx.accountId);
  if (id.kind === 'foreign') {
    throw new KmsApiError(
      'NotFoundException',
      `Invalid arn ${value}: this endpoint serves ${ctx.region} only`,
    );
  }
  if (id.kind === 'invalid') throw new KmsApiError('NotFoundException', `Invalid keyId ${value}`);
  if (id.kind === 'alias') {
    if (!allowAlias) {
      throw new KmsApiError(
        'NotFoundException',
        `Invalid keyId ${value}: this operation takes a key id or key ARN`,
      );
    }
    const alias = ctx.store.aliases.get(id.aliasName);
    const key = alias && ctx.store.keys.get(alias.targetKeyId);
    if (!key) {
      throw new KmsApiError(
        'NotFoundException',
        `Alias ${aliasArn(ctx.region, ctx.accountId, id.aliasName)} is not found.`,
      );
    }
    return key;
  }
  const key = ctx.store.keys.get(id.keyId);
  if (!key) {
    throw new KmsApiError(
      'NotFoundException',
      `Key '${keyArn(ctx.region, ctx.accountId, id.keyId)}' does not exist`,
    );
  }
  return key;
}

/**
 * Precondition for every cryptographic operation: the key is enabled and made for `usage`.
 * Disabled → DisabledException; pending deletion → KMSInvalidStateException; wrong usage →
 * InvalidKeyUsageException.
 */
export function requireUsable(
  ctx: OperationContext,
  key: KeyRecord,
  usage: KeyUsage,
  operation: string,
): void {
  if (key.keyState === 'Disabled')
    throw new KmsApiError('DisabledException', `${arnOf(ctx, key)} is disabled.`);
  if (key.keyState === 'PendingDeletion') {
    throw new KmsApiError('KMSInvalidStateException', `${arnOf(ctx, key)} is pending deletion.`);
  }
  if (key.keyUsage !== usage) {
    throw new KmsApiError(
      'InvalidKeyUsageException',
      `${arnOf(ctx, key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
    );
  }
}

/**
 * Precondition for Encrypt, Decrypt and ReEncrypt: the requested `EncryptionAlgorithm` is one a
 * symmetric key supports. AWS answers an algorithm of the API's enum that the key's spec does
 * not support (RSAES_OAEP_*, SM2PKE on a SYMMETRIC_DEFAULT key) with InvalidKeyUsageException.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html#API_Encrypt_Errors
 */
export function requireSymmetricAlgorithm(
  ctx: OperationContext,
  key: KeyRecord,
  algorithm: string | undefined,
): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsApiError(
      'InvalidKeyUsageException',
      `${arnOf(ctx, key)} key spec ${key.keySpec} does not support encryption algorithm ${algorithm}.`,
    );
  }
}
