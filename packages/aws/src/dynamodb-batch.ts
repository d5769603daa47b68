import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency, type RetryOptions, retry } from '@residency/core';

/** BatchWriteItem takes at most 25 requests. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** BatchGetItem takes at most 100 keys. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html */
export const BATCH_GET_MAX_KEYS = 100;

/** A key of a table keyed by string `pk` + `sk`, the layout every residency table uses. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** One request of a BatchWriteItem: a whole item to put, or a key to delete. */
export type BatchWriteRequest = { put: ItemKey & Record<string, unknown> } | { delete: ItemKey };

/**
 * How the unfinished part of a batch is tried again: {@link retry}'s bounds (attempts, deadline,
 * backoff) and its injectable clock, sleep and randomness.
 */
export type BatchRetry = Omit<RetryOptions<unknown>, 'retryable'>;

/** DynamoDB's advice for unprocessed items: a few attempts with exponential backoff. */
export const DEFAULT_BATCH_RETRY: BatchRetry = Object.freeze({
  maxAttempts: 8,
  baseDelayMillis: 50,
  maxDelayMillis: 2_000,
});

/** Options of {@link writeBatch} and {@link readBatch}. */
export interface BatchOptions {
  /** Calls in flight at once. Default: 1. */
  concurrency?: number;
  /** Default: {@link DEFAULT_BATCH_RETRY}. */
  retry?: BatchRetry;
}

/** What {@link writeBatch} could not write. */
export interface WriteBatchOutcome<E> {
  /** Left unprocessed, or in a call that failed, when the retries ran out: worth another try later. */
  failed: E[];
  /** Refused as invalid (an item over 400 KB, say): another try would be refused again. */
  refused: E[];
  /** The last error a call threw, if any (for the caller's own error, as its cause). */
  lastError?: unknown;
}

/**
 * Writes entries in BatchWriteItem calls of 25, `concurrency` at once. Requests DynamoDB leaves
 * unprocessed (its answer to throttling, which the SDK does not retry inside a BatchWriteItem) or
 * that were in a call that failed are sent again with backoff, as DynamoDB advises, until the
 * retry bounds run out; what is left is returned, not thrown, so the caller decides (retry the
 * events, fail the batch). Puts and deletes are unconditional: only for items that one writer
 * owns or that are idempotent. Two requests for one key in one call are refused by DynamoDB;
 * callers dedupe.
 *
 * DynamoDB refuses a whole call when one of its requests is invalid; the requests of such a call
 * are then sent one by one, so only the invalid one is refused.
 *
 * @example const { failed, refused } = await writeBatch(doc, 'residency-aggregates', items, (item) => ({ put: item }));
 */
export async function writeBatch<E>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  requestOf: (entry: E) => BatchWriteRequest,
  options: BatchOptions = {},
): Promise<WriteBatchOutcome<E>> {
  let pending: E[] = [...entries];
  const refused: E[] = [];
  let lastError: unknown;
  const { value: failed } = await retry(
    async () => {
      const outcome = await writeOnce(
        documentClient,
        tableName,
        pending,
        requestOf,
        options.concurrency ?? 1,
      );
      refused.push(...outcome.refused);
      lastError = outcome.lastError ?? lastError;
      pending = outcome.failed;
      return pending;
    },
    { ...(options.retry ?? DEFAULT_BATCH_RETRY), retryable: (left) => left.length > 0 },
  );
  return { failed, refused, ...(lastError === undefined ? {} : { lastError }) };
}

async function writeOnce<E>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  requestOf: (entry: E) => BatchWriteRequest,
  concurrency: number,
): Promise<WriteBatchOutcome<E>> {
  const failed: E[] = [];
  const refused: E[] = [];
  let lastError: unknown;
  await mapWithConcurrency(chunk(entries, BATCH_WRITE_MAX_ITEMS), concurrency, async (group) => {
    const requests = group.map(requestOf);
    try {
      const output = await documentClient.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests.map(toWriteRequest) } }),
      );
      const left = output.UnprocessedItems?.[tableName] ?? [];
      if (left.length === 0) return;
      const unprocessed = new Set(
        left.map((request) =>
          keyText((request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {}) as ItemKey),
        ),
      );
      const matched = group.filter((_, i) =>
        unprocessed.has(keyText(keyOf(requests[i] as BatchWriteRequest))),
      );
      // An unprocessed request that matches none sent (an answer this code cannot read) must not
      // pass for written: the whole call is sent again, which plain puts and deletes allow.
      failed.push(...(matched.length < unprocessed.size ? group : matched));
    } catch (error) {
      lastError = error;
      if (group.length > 1 && isValidationError(error)) {
        for (const [i, entry] of group.entries()) {
          await sendOne(documentClient, tableName, requests[i] as BatchWriteRequest).catch((itemError) => {
            lastError = itemError;
            (isValidationError(itemError) ? refused : failed).push(entry);
          });
        }
        return;
      }
      (isValidationError(error) ? refused : failed).push(...group);
    }
  });
  return { failed, refused, lastError };
}

/** Thrown by {@link readBatch} when keys are still unprocessed after the retries. */
export class BatchGetIncompleteError extends Error {
  override readonly name = 'BatchGetIncompleteError';
  constructor(
    readonly tableName: string,
    readonly unprocessedKeys: number,
  ) {
    super(`BatchGetItem on ${tableName}: ${unprocessedKeys} keys were still unprocessed after retries`);
  }
}

/** Options of {@link readBatch}. */
export interface ReadBatchOptions extends BatchOptions {
  /** Strongly consistent reads. Default: true (fences and claims must be read as they are). */
  consistentRead?: boolean;
}

/**
 * Reads items by key in BatchGetItem calls of 100, `concurrency` at once, retrying unprocessed
 * keys with backoff; found items by {@link keyText}. Duplicate keys are read once. Throws
 * {@link BatchGetIncompleteError} when keys are still unprocessed after the retries (a read that
 * silently missed an item would look like an absent item), and whatever a call throws.
 *
 * @example const items = await readBatch(doc, 'residency-aggregates', keys, { concurrency: 4 });
 */
export async function readBatch<T extends ItemKey>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: ReadBatchOptions = {},
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  let pending = [...new Map(keys.map((k) => [keyText(k), { pk: k.pk, sk: k.sk }])).values()];
  const { value: left } = await retry(
    async () => {
      const next: ItemKey[] = [];
      await mapWithConcurrency(
        chunk(pending, BATCH_GET_MAX_KEYS),
        options.concurrency ?? 1,
        async (group) => {
          const output = await documentClient.send(
            new BatchGetCommand({
              RequestItems: { [tableName]: { Keys: group, ConsistentRead: options.consistentRead ?? true } },
            }),
          );
          for (const item of (output.Responses?.[tableName] ?? []) as T[]) found.set(keyText(item), item);
          for (const key of output.UnprocessedKeys?.[tableName]?.Keys ?? [])
            next.push({ pk: String(key.pk), sk: String(key.sk) });
        },
      );
      pending = next;
      return pending;
    },
    { ...(options.retry ?? DEFAULT_BATCH_RETRY), retryable: (rest) => rest.length > 0 },
  );
  if (left.length > 0) throw new BatchGetIncompleteError(tableName, left.length);
  return found;
}

/** The `pk\nsk` text of a key: how {@link readBatch} indexes what it found. */
export function keyText(key: ItemKey): string {
  return `${key.pk}\n${key.sk}`;
}

function keyOf(request: BatchWriteRequest): ItemKey {
  return 'put' in request ? request.put : request.delete;
}

function toWriteRequest(request: BatchWriteRequest) {
  return 'put' in request
    ? { PutRequest: { Item: request.put } }
    : { DeleteRequest: { Key: { pk: request.delete.pk, sk: request.delete.sk } } };
}

async function sendOne(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  request: BatchWriteRequest,
) {
  if ('put' in request)
    await documentClient.send(new PutCommand({ TableName: tableName, Item: request.put }));
  else
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: request.delete.pk, sk: request.delete.sk } }),
    );
}

function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}
