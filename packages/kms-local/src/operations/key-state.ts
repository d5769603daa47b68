import { z } from 'zod';
import type { Operation } from '../context.ts';
import { epochSeconds } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import { arnOf, findKey } from '../resolve.ts';
import { KeyIdSchema, parseInput } from '../validation.ts';

const KeyOnlySchema = z.object({ KeyId: KeyIdSchema });
const DAY_MILLIS = 86_400_000;

function pendingDeletionError(arn: string): KmsApiError {
  return new KmsApiError('KMSInvalidStateException', `${arn} is pending deletion.`);
}

/** EnableKey: a disabled key becomes usable again. */
export const enableKey: Operation = async (body, ctx) => {
  const key = findKey(ctx, parseInput(KeyOnlySchema, body).KeyId, false);
  if (key.keyState === 'PendingDeletion') throw pendingDeletionError(arnOf(ctx, key));
  key.keyState = 'Enabled';
  await ctx.store.save();
  return {};
};

/** DisableKey: cryptographic operations with the key then fail with DisabledException. */
export const disableKey: Operation = async (body, ctx) => {
  const key = findKey(ctx, parseInput(KeyOnlySchema, body).KeyId, false);
  if (key.keyState === 'PendingDeletion') throw pendingDeletionError(arnOf(ctx, key));
  key.keyState = 'Disabled';
  await ctx.store.save();
  return {};
};

const ScheduleKeyDeletionSchema = z.object({
  KeyId: KeyIdSchema,
  PendingWindowInDays: z.number().int().min(7).max(30).optional(),
});

/**
 * ScheduleKeyDeletion: the key goes to PendingDeletion and can no longer be used. kms-local
 * keeps the material until CancelKeyDeletion; it never purges it (local runs are short).
 */
export const scheduleKeyDeletion: Operation = async (body, ctx) => {
  const input = parseInput(ScheduleKeyDeletionSchema, body);
  const key = findKey(ctx, input.KeyId, false);
  if (key.keyState === 'PendingDeletion') throw pendingDeletionError(arnOf(ctx, key));
  const days = input.PendingWindowInDays ?? 30;
  key.keyState = 'PendingDeletion';
  key.pendingWindowInDays = days;
  key.deletionDateMillis = ctx.clock().getTime() + days * DAY_MILLIS;
  await ctx.store.save();
  return {
    KeyId: arnOf(ctx, key),
    DeletionDate: epochSeconds(key.deletionDateMillis),
    KeyState: key.keyState,
    PendingWindowInDays: days,
  };
};

/** CancelKeyDeletion: the key comes back Disabled, as in AWS. */
export const cancelKeyDeletion: Operation = async (body, ctx) => {
  const key = findKey(ctx, parseInput(KeyOnlySchema, body).KeyId, false);
  if (key.keyState !== 'PendingDeletion') {
    throw new KmsApiError('KMSInvalidStateException', `${arnOf(ctx, key)} is not pending deletion.`);
  }
  key.keyState = 'Disabled';
  key.deletionDateMillis = undefined;
  key.pendingWindowInDays = undefined;
  await ctx.store.save();
  return { KeyId: arnOf(ctx, key) };
};
