import { retry } from '@residency/core';
import { VaultStoreError } from '../errors.ts';

/** First retry delay; doubles per attempt (full jitter). */
export const BACKOFF_BASE_DELAY_MILLIS = 20;
/** Upper bound of one retry delay. */
export const BACKOFF_MAX_DELAY_MILLIS = 1_000;
/** Give up after this long and raise {@link VaultStoreError}. */
export const BACKOFF_DEADLINE_MILLIS = 15_000;

/**
 * Repeats `step` until it reports done, sleeping with exponential backoff and full jitter in
 * between ({@link retry} from `@residency/core`), up to a deadline. For DynamoDB's partial batch
 * results (UnprocessedKeys, UnprocessedItems), which AWS asks callers to retry with backoff:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
export async function repeatWithBackoff(
  operation: string,
  step: () => Promise<boolean>,
  deadlineMillis = BACKOFF_DEADLINE_MILLIS,
): Promise<void> {
  const { exhausted } = await retry(step, {
    retryable: (done) => !done,
    baseDelayMillis: BACKOFF_BASE_DELAY_MILLIS,
    maxDelayMillis: BACKOFF_MAX_DELAY_MILLIS,
    deadlineAtMillis: Date.now() + deadlineMillis,
  });
  if (exhausted) {
    throw new VaultStoreError(
      `${operation} still had unprocessed items after ${deadlineMillis} ms`,
      operation,
    );
  }
}
