import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency } from '@residency/core';
import { type RetryEnvironment, type RetryPolicy, retryWithBackoff } from './retry.ts';

/** BatchWriteItem takes at most 25 items. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
export const BATCH_WRITE_MAX_ITEMS = 25;

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
 * Puts entries' items in calls of 25. Plain puts, so only for items that one writer owns or that
 * are idempotent. Items left unprocessed (throttling, which the SDK does not retry in a
 * BatchWriteItem) or in a call that failed are put again with backoff, as DynamoDB advises, until
 * the retry policy runs out; an item refused as invalid is not.
 *
 * DynamoDB refuses a whole BatchWriteItem when one of its items is invalid; the items of such a
 * call are then put one by one, so only the invalid one is refused.
 */
export async function putBatch<E extends { item: { pk: string; sk: string } }>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  options: PutBatchOptions = {},
): Promise<PutBatchOutcome<E>> {
  let pending: E[] = [...entries];
  const refused: E[] = [];
  await retryWithBackoff(
    async () => {
      const outcome = await putBatchOnce(documentClient, tableName, pending, options.concurrency ?? 1);
      refused.push(...outcome.refused);
      pending = outcome.failed;
      return { done: pending.length === 0, value: pending };
    },
    options.retry,
    options.retryEnvironment,
  );
  return { failed: pending, refused };
}

async function putBatchOnce<E extends { item: { pk: string; sk: string } }>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  concurrency: number,
): Promise<PutBatchOutcome<E>> {
  const failed: E[] = [];
  const refused: E[] = [];
  await mapWithConcurrency(chunk(entries, BATCH_WRITE_MAX_ITEMS), concurrency, async (group) => {
    try {
      const output = await documentClient.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: group.map(({ item }) => ({ PutRequest: { Item: item } })) },
        }),
      );
      const unprocessed = new Set(
        (output.UnprocessedItems?.[tableName] ?? []).map(
          (r) => `${r.PutRequest?.Item?.pk}\n${r.PutRequest?.Item?.sk}`,
        ),
      );
      for (const entry of group)
        if (unprocessed.has(`${entry.item.pk}\n${entry.item.sk}`)) failed.push(entry);
    } catch (error) {
      if (group.length > 1 && isValidationError(error)) {
        for (const entry of group) {
          await documentClient
            .send(new PutCommand({ TableName: tableName, Item: entry.item }))
            .catch((itemError: unknown) => (isValidationError(itemError) ? refused : failed).push(entry));
        }
        return;
      }
      (isValidationError(error) ? refused : failed).push(...group);
    }
  });
  return { failed, refused };
}

function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}
