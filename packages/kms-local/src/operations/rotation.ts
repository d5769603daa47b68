import { z } from 'zod';
import type { Operation, OperationContext } from '../context.ts';
import { epochSeconds } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import type { KeyRecord } from '../key-record.ts';
import { paginate } from '../page.ts';
import { arnOf, findKey } from '../resolve.ts';
import { DEFAULT_ROTATION_PERIOD_DAYS, rotateKey, scheduleNextRotation } from '../rotation.ts';
import { KeyIdSchema, PageSchema, parseInput } from '../validation.ts';

const KeyOnlySchema = z.object({ KeyId: KeyIdSchema });

// Only symmetric encryption keys rotate in AWS; HMAC keys answer UnsupportedOperationException.
// https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
function rotatableKey(ctx: OperationContext, keyIdValue: string, requireEnabled: boolean): KeyRecord {
  const key = findKey(ctx, keyIdValue, false);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsApiError(
      'UnsupportedOperationException',
      `${arnOf(ctx, key)} key spec ${key.keySpec} does not support rotation`,
    );
  }
  if (key.keyState === 'PendingDeletion') {
    throw new KmsApiError('KMSInvalidStateException', `${arnOf(ctx, key)} is pending deletion.`);
  }
  if (requireEnabled && key.keyState === 'Disabled') {
    throw new KmsApiError('DisabledException', `${arnOf(ctx, key)} is disabled.`);
  }
  return key;
}

const EnableKeyRotationSchema = z.object({
  KeyId: KeyIdSchema,
  RotationPeriodInDays: z.number().int().min(90).max(2560).optional(),
});

/** EnableKeyRotation: automatic rotation every RotationPeriodInDays (90..2560, default 365). */
export const enableKeyRotation: Operation = async (body, ctx) => {
  const input = parseInput(EnableKeyRotationSchema, body);
  const key = rotatableKey(ctx, input.KeyId, true);
  key.rotationEnabled = true;
  key.rotationPeriodInDays = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  scheduleNextRotation(ctx, key);
  await ctx.store.save();
  return {};
};

/** DisableKeyRotation: no more automatic rotations; existing versions stay. */
export const disableKeyRotation: Operation = async (body, ctx) => {
  const key = rotatableKey(ctx, parseInput(KeyOnlySchema, body).KeyId, true);
  key.rotationEnabled = false;
  key.nextRotationMillis = undefined;
  await ctx.store.save();
  return {};
};

/** GetKeyRotationStatus: whether automatic rotation is on, its period and next date. */
export const getKeyRotationStatus: Operation = async (body, ctx) => {
  const key = rotatableKey(ctx, parseInput(KeyOnlySchema, body).KeyId, false);
  return {
    KeyId: arnOf(ctx, key),
    KeyRotationEnabled: key.rotationEnabled,
    ...(key.rotationEnabled ? { RotationPeriodInDays: key.rotationPeriodInDays } : {}),
    ...(key.nextRotationMillis === undefined
      ? {}
      : { NextRotationDate: epochSeconds(key.nextRotationMillis) }),
  };
};

/**
 * RotateKeyOnDemand: a new material version now. AWS does this asynchronously; here it is done
 * when the call returns, which makes tests deterministic. AWS's limit on the number of
 * on-demand rotations per key is not enforced.
 */
export const rotateKeyOnDemand: Operation = async (body, ctx) => {
  const key = rotatableKey(ctx, parseInput(KeyOnlySchema, body).KeyId, true);
  await rotateKey(ctx, key, 'ON_DEMAND');
  return { KeyId: arnOf(ctx, key) };
};

/** ListKeyRotations: the rotations a key has had (not its initial material), oldest first. */
export const listKeyRotations: Operation = async (body, ctx) => {
  const input = parseInput(z.object({ KeyId: KeyIdSchema, ...PageSchema }), body);
  const key = rotatableKey(ctx, input.KeyId, false);
  const rotations = key.materials.filter((m) => m.rotationType !== 'INITIAL');
  const { page, ...rest } = paginate(rotations, input.Limit, input.Marker);
  return {
    Rotations: page.map((m) => ({
      KeyId: arnOf(ctx, key),
      RotationDate: epochSeconds(m.createdAtMillis),
      RotationType: m.rotationType,
    })),
    ...rest,
  };
};
