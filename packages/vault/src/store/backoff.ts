import { setTimeout as sleep } from 'node:timers/promises';
import { VaultStoreError } from '../errors.ts';

/** First retry delay; doubles per attempt (full jitter). */
export const BACKOFF_BASE_DELAY_MILLIS = 20;
/** Upper bound of one retry delay. */
export const BACKOFF_MAX_DELAY_MILLIS = 1_000;
/** Give up after this long and raise {@link VaultStoreError}. */
export const BACKOFF_DEADLINE_MILLIS = 15_000;

/**
 * Repeats `step` until it reports done, sleeping with exponential backoff and full jitter in
 * between, up to a deadline. For DynamoDB's partial batch results (UnprocessedKeys,
 * UnprocessedItems), which AWS asks callers to retry with backoff:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
export async function repeatWithBackoff(
  operation: string,
  step: () => Promise<boolean>,
  deadlineMillis = BACKOFF_DEADLINE_MILLIS,
): Promise<void> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (await step()) return;
    if (Date.now() - start > deadlineMillis) {
      throw new VaultStoreError(
        `${operation} still had unprocessed items after ${deadlineMillis} ms`,
        operation,
      );
    }
    const cap = Math.min(BACKOFF_MAX_DELAY_MILLIS, BACKOFF_BASE_DELAY_MILLIS * 2 ** attempt);
    await sleep(Math.random() * cap);
  }
}
