import type { OperationContext } from './context.ts';
import type { KeyMaterialRecord, KeyRecord } from './key-record.ts';

/** Default automatic rotation period, as in AWS. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
const DAY_MILLIS = 86_400_000;

/**
 * Adds a new material version to a key and saves. Old versions stay, so ciphertexts made
 * before still decrypt; new encryptions use the newest version.
 */
export async function rotateKey(
  ctx: OperationContext,
  key: KeyRecord,
  type: KeyMaterialRecord['rotationType'],
): Promise<void> {
  const version = Math.max(...key.materials.map((m) => m.version)) + 1;
  key.materials.push(ctx.store.newMaterial(key.keyId, key.keySpec, version, type));
  if (key.rotationEnabled) scheduleNextRotation(ctx, key);
  await ctx.store.save();
}

/** Sets the next automatic rotation one period from now. */
export function scheduleNextRotation(ctx: OperationContext, key: KeyRecord): void {
  const days = key.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  key.nextRotationMillis = ctx.clock().getTime() + days * DAY_MILLIS;
}

/**
 * Automatic rotation, done lazily: before a key encrypts, if its rotation date has passed, it
 * rotates first. (AWS rotates in the background; the effect on callers is the same.)
 */
export async function rotateIfDue(ctx: OperationContext, key: KeyRecord): Promise<void> {
  if (
    key.rotationEnabled &&
    key.nextRotationMillis !== undefined &&
    key.nextRotationMillis <= ctx.clock().getTime()
  ) {
    await rotateKey(ctx, key, 'AUTOMATIC');
  }
}
