import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

// Service limits: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
const BATCH_WRITE_MAX_ITEMS = 25;
const BATCH_GET_MAX_KEYS = 100;
const UNPROCESSED_MAX_ROUNDS = 10;

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

const pause = (round: number) => new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(round, 6)));

function uniqueByKey<T extends { pk?: unknown; sk?: unknown }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
  return [...seen.values()];
}

/** Creates {@link DynamoIo} over a client. */
export function createDynamoIo(dynamodb: DynamoDBClient): DynamoIo {
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });

  const batchWrite = async (table: string, requests: Array<Record<string, unknown>>) => {
    for (let start = 0; start < requests.length; start += BATCH_WRITE_MAX_ITEMS) {
      let pending = requests.slice(start, start + BATCH_WRITE_MAX_ITEMS);
      for (let round = 0; pending.length > 0; round++) {
        if (round > UNPROCESSED_MAX_ROUNDS)
          throw new Error(`BatchWriteItem on ${table}: items left unprocessed`);
        const output = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (output.UnprocessedItems?.[table] ?? []) as typeof pending;
        if (pending.length > 0) await pause(round);
      }
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
        uniqueByKey(items).map((Item) => ({ PutRequest: { Item } })),
      ),
    batchDelete: (table, keyList) =>
      batchWrite(
        table,
        uniqueByKey(keyList).map((Key) => ({ DeleteRequest: { Key } })),
      ),
    async batchGet(table, keyList) {
      const unique = uniqueByKey(keyList);
      const found: Item[] = [];
      for (let start = 0; start < unique.length; start += BATCH_GET_MAX_KEYS) {
        let pending: Key[] = unique.slice(start, start + BATCH_GET_MAX_KEYS);
        for (let round = 0; pending.length > 0; round++) {
          if (round > UNPROCESSED_MAX_ROUNDS)
            throw new Error(`BatchGetItem on ${table}: keys left unprocessed`);
          const output = await doc.send(
            new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
          );
          found.push(...(output.Responses?.[table] ?? []));
          pending = (output.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
          if (pending.length > 0) await pause(round);
        }
      }
      return found;
    },
    async query(input) {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async *scan(input) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
        for (const item of page.Items ?? []) yield item;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    },
  };
}
