import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type BatchWriteRequest, queryAll, readBatch, writeBatch } from '@residency/aws';

// Unprocessed items and keys: up to 11 rounds, backing off from 10 ms to 640 ms.
const BATCH_RETRY = { maxAttempts: 11, baseDelayMillis: 10, maxDelayMillis: 640 };

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/** A DocumentClient with the few bulk helpers the store needs (paging, unprocessed items). */
export interface DynamoIo {
  doc: DynamoDBDocumentClient;
  batchPut(table: string, items: readonly Item[]): Promise<void>;
  batchDelete(table: string, keys: readonly Key[]): Promise<void>;
  batchGet(table: string, keys: readonly Key[]): Promise<Item[]>;
  /** Puts the item unless its key exists; true when this call stored it (the key is the dedupe). */
  putIfAbsent(table: string, item: Item & Key): Promise<boolean>;
  query(input: QueryCommandInput): Promise<Item[]>;
  scan(input: ScanCommandInput): AsyncIterable<Item>;
}

function uniqueByKey<T extends { pk?: unknown; sk?: unknown }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
  return [...seen.values()];
}

/** Creates {@link DynamoIo} over a client. */
export function createDynamoIo(dynamodb: DynamoDBClient): DynamoIo {
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });

  // What is still unwritten after writeBatch's retries fails the caller's batch, which is retried.
  const batchWrite = async (table: string, requests: readonly BatchWriteRequest[]) => {
    const { failed, refused, lastError } = await writeBatch(doc, table, requests, (request) => request, {
      retry: BATCH_RETRY,
    });
    if (failed.length + refused.length > 0) {
      throw new Error(`BatchWriteItem on ${table}: ${failed.length + refused.length} requests not written`, {
        cause: lastError,
      });
    }
  };

  return {
    doc,
    async putIfAbsent(table, item) {
      try {
        await doc.send(
          new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    // BatchWriteItem refuses two requests for one key in a call: dedupe first.
    batchPut: (table, items) =>
      batchWrite(
        table,
        uniqueByKey(items).map((item) => ({ put: item as Key & Item })),
      ),
    batchDelete: (table, keyList) =>
      batchWrite(
        table,
        uniqueByKey(keyList).map((key) => ({ delete: key })),
      ),
    async batchGet(table, keyList) {
      return [...(await readBatch<Key & Item>(doc, table, keyList, { retry: BATCH_RETRY })).values()];
    },
    query: (input) => queryAll(doc, input),
    async *scan(input) {
      for await (const page of paginateScan({ client: doc }, input)) yield* page.Items ?? [];
    },
  };
}
