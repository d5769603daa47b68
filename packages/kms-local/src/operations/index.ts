import type { Operation } from '../context.ts';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.ts';
import { generateDataKey, generateDataKeyWithoutPlaintext } from './data-keys.ts';
import { decrypt, encrypt, reEncrypt } from './encrypt.ts';
import { cancelKeyDeletion, disableKey, enableKey, scheduleKeyDeletion } from './key-state.ts';
import { createKey, describeKey, listKeys } from './keys.ts';
import { generateMac, verifyMac } from './mac.ts';
import {
  disableKeyRotation,
  enableKeyRotation,
  getKeyRotationStatus,
  listKeyRotations,
  rotateKeyOnDemand,
} from './rotation.ts';

/** Every TrentService operation kms-local answers, by its wire name (`X-Amz-Target: TrentService.<name>`). */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateKey: createKey,
  Decrypt: decrypt,
  DeleteAlias: deleteAlias,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: disableKeyRotation,
  EnableKey: enableKey,
  EnableKeyRotation: enableKeyRotation,
  Encrypt: encrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateMac: generateMac,
  GetKeyRotationStatus: getKeyRotationStatus,
  ListAliases: listAliases,
  ListKeyRotations: listKeyRotations,
  ListKeys: listKeys,
  ReEncrypt: reEncrypt,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  UpdateAlias: updateAlias,
  VerifyMac: verifyMac,
};

/** The names of the supported operations, sorted. */
export const SUPPORTED_OPERATIONS: readonly string[] = Object.keys(OPERATIONS).sort();
