import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency } from '@residency/core';
import { type RetryEnvironment, type RetryPolicy, retryWithBackoff } from './retry.ts';

/** BatchGetItem takes at most 100 keys. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html */
export const BATCH_GET_MAX_KEYS = 100;

/** Raised when some keys are still unprocessed after the retry deadline. */
export class BatchGetIncompleteError extends Error {
  override readonly name = 'BatchGetIncompleteError';
  constructor(readonly unprocessedKeys: number) {
    super(`${unprocessedKeys} keys were still unprocessed after retries`);
  }
}

/** Options of {@link batchGetAll}. */
export interface BatchGetOptions {
  /** Strongly consistent reads (fences must be read as they are). Default: true. */
  consistentRead?: boolean;
  /** Calls of 100 keys in flight at once. Default: 4. */
  readConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  retryEnvironment?: RetryEnvironment;
}

/** Reads items by `pk` + `sk` in calls of 100 keys, retrying unprocessed keys; items by `pk\nsk`. */
export async function batchGetAll<T extends { pk: string; sk: string }>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  keys: ReadonlyArray<{ pk: string; sk: string }>,
  options: BatchGetOptions = {},
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Map(keys.map((k) => [keyString(k), { pk: k.pk, sk: k.sk }])).values()];
  let pending = unique;
  const { value: left } = await retryWithBackoff(
    async () => {
      const next: Array<{ pk: string; sk: string }> = [];
      await mapWithConcurrency(
        chunk(pending, BATCH_GET_MAX_KEYS),
        options.readConcurrency ?? 4,
        async (group) => {
          const output = await documentClient.send(
            new BatchGetCommand({
              RequestItems: {
                [tableName]: { Keys: group, ConsistentRead: options.consistentRead ?? true },
              },
            }),
          );
          for (const item of (output.Responses?.[tableName] ?? []) as T[]) found.set(keyString(item), item);
          for (const key of output.UnprocessedKeys?.[tableName]?.Keys ?? []) {
            next.push({ pk: String(key.pk), sk: String(key.sk) });
          }
        },
      );
      pending = next;
      return { done: pending.length === 0, value: pending };
    },
    options.retry,
    options.retryEnvironment,
  );
  if (left.length > 0) throw new BatchGetIncompleteError(left.length);
  return found;
}

/** The `pk\nsk` string of a key, as {@link batchGetAll} indexes its results. */
export function keyString(key: { pk: string; sk: string }): string {
  return `${key.pk}\n${key.sk}`;
}
