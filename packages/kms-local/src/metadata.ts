import type { OperationContext } from './context.ts';
import { epochSeconds } from './context.ts';
import { KEY_SPECS, type KeyRecord } from './key-record.ts';
import { arnOf } from './resolve.ts';

/**
 * A key's `KeyMetadata` as DescribeKey and CreateKey return it. Here `KeyId` is the bare key id
 * and `Arn` the full ARN, as in AWS.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html
 */
export function toKeyMetadata(ctx: OperationContext, key: KeyRecord): Record<string, unknown> {
  const macAlgorithm = KEY_SPECS[key.keySpec].macAlgorithm;
  return {
    AWSAccountId: ctx.accountId,
    KeyId: key.keyId,
    Arn: arnOf(ctx, key),
    CreationDate: epochSeconds(key.createdAtMillis),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(key.deletionDateMillis === undefined ? {} : { DeletionDate: epochSeconds(key.deletionDateMillis) }),
    ...(key.pendingWindowInDays === undefined
      ? {}
      : { PendingDeletionWindowInDays: key.pendingWindowInDays }),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...(macAlgorithm ? { MacAlgorithms: [macAlgorithm] } : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
    MultiRegion: false,
  };
}
