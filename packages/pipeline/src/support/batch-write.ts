import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeBatch } from '@residency/aws';
import { type RetryEnvironment, type RetryPolicy, retryBoundsOf } from './retry.ts';

/** What {@link putBatch} could not write. */
export interface PutBatchOutcome<E> {
  /** Left unprocessed by DynamoDB, or in a call that failed: worth another try. */
  failed: E[];
  /** Refused as invalid (over 400 KB, say): another try would be refused again. */
  refused: E[];
}

/** Options of {@link putBatch}. */
export interface PutBatchOptions {
  /** BatchWriteItem calls in flight at once. Default: 1. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  retryEnvironment?: RetryEnvironment;
}

/**
 * Puts entries' items with `@residency/aws`'s {@link writeBatch} (calls of 25, unprocessed items
 * and failed calls put again with backoff, an invalid item refused alone) under this package's
 * retry policy. Plain puts, so only for items that one writer owns or that are idempotent.
 */
export async function putBatch<E extends { item: { pk: string; sk: string } }>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  options: PutBatchOptions = {},
): Promise<PutBatchOutcome<E>> {
  const { failed, refused } = await writeBatch(
    documentClient,
    tableName,
    entries,
    (entry) => ({ put: entry.item }),
    {
      concurrency: options.concurrency ?? 1,
      retry: retryBoundsOf(options.retry, options.retryEnvironment),
    },
  );
  return { failed, refused };
}
