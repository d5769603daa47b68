import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { BATCH_GET_MAX_KEYS, BATCH_WRITE_MAX_ITEMS } from '@residency/aws';
import type { Token } from '@residency/core';
import { chunk, mapWithConcurrency } from '@residency/core';
import { VaultStoreError } from '../errors.ts';
import { repeatWithBackoff } from './backoff.ts';
import {
  entryKey,
  entryToItem,
  type Item,
  itemToEntry,
  itemToLink,
  itemToPointer,
  itemToWrappedKey,
  KEY_SK,
  linkItems,
  pointerKey,
  pointerToItem,
  wrappedKeyToItem,
} from './items.ts';
import {
  type IndexRef,
  indexRefKey,
  type PutIfAbsentOutcome,
  type SubjectLink,
  type TokenLinks,
  type TokenPointer,
  type VaultEntry,
  type VaultStore,
  type WrappedKeyRecord,
} from './vault-store.ts';

/** Options of {@link createDynamoDbVaultStore}. */
export interface DynamoDbVaultStoreOptions {
  /** A DynamoDB client pinned to the data region. */
  dynamodb: DynamoDBClient;
  /** The vault table (key `pk` S + `sk` S). */
  tableName: string;
  /** Batch calls (BatchGetItem, BatchWriteItem) in flight at once per operation. Default 8. */
  batchConcurrency?: number;
}

/** Attempts of a conditional create whose winner vanished (was erased) before it could be read. */
const PUT_IF_ABSENT_ATTEMPTS = 3;

/**
 * The {@link VaultStore} adapter for DynamoDB (and dynalite). Batched reads of ≤100 keys and
 * batched writes of ≤25 items retry their unprocessed parts with backoff; conditional creates
 * are single PutItems with `attribute_not_exists(pk)` (BatchWriteItem cannot be conditional, and
 * dynalite has no transactions). A failed condition is read back with a consistent GetItem:
 * dynalite ignores ReturnValuesOnConditionCheckFailure, and the read works on both.
 *
 * @example createDynamoDbVaultStore({ dynamodb: clients.dynamodb, tableName: 'residency-vault' })
 */
export function createDynamoDbVaultStore(options: DynamoDbVaultStoreOptions): VaultStore {
  const { dynamodb, tableName } = options;
  const batchConcurrency = options.batchConcurrency ?? 8;

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      if (cause instanceof VaultStoreError) throw cause;
      throw new VaultStoreError(`DynamoDB ${operation} on ${tableName} failed`, operation, { cause });
    }
  }

  async function getItem(key: Item): Promise<Item | undefined> {
    const out = await call('GetItem', () =>
      dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  async function batchGet(keys: readonly Item[], consistentRead: boolean): Promise<Item[]> {
    const found: Item[] = [];
    await mapWithConcurrency(chunk(keys, BATCH_GET_MAX_KEYS), batchConcurrency, async (part) => {
      let pending: Item[] = part;
      await repeatWithBackoff('BatchGetItem', async () => {
        const out = await call('BatchGetItem', () =>
          dynamodb.send(
            new BatchGetItemCommand({
              RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } },
            }),
          ),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
        return pending.length === 0;
      });
    });
    return found;
  }

  async function batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    await mapWithConcurrency(chunk(requests, BATCH_WRITE_MAX_ITEMS), batchConcurrency, async (part) => {
      let pending: WriteRequest[] = part;
      await repeatWithBackoff('BatchWriteItem', async () => {
        const out = await call('BatchWriteItem', () =>
          dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } })),
        );
        pending = out.UnprocessedItems?.[tableName] ?? [];
        return pending.length === 0;
      });
    });
  }

  // A batch may not name one key twice (ValidationException), so requests are deduplicated by key.
  const puts = (items: readonly Item[]) =>
    dedupe(
      items.map((item) => ({ PutRequest: { Item: item } })),
      (r) => keyOf(r.PutRequest.Item),
    );
  const deletes = (keys: readonly Item[]) =>
    dedupe(
      keys.map((key) => ({ DeleteRequest: { Key: key } })),
      (r) => keyOf(r.DeleteRequest.Key),
    );

  async function putIfAbsent<T>(item: Item, read: (item: Item) => T): Promise<PutIfAbsentOutcome<T>> {
    const key = { pk: item.pk as NonNullable<Item['pk']>, sk: item.sk as NonNullable<Item['sk']> };
    for (let attempt = 0; attempt < PUT_IF_ABSENT_ATTEMPTS; attempt++) {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { outcome: 'created' };
      } catch (cause) {
        if (!(cause instanceof ConditionalCheckFailedException || isConditionalFailure(cause))) {
          throw new VaultStoreError(`DynamoDB PutItem on ${tableName} failed`, 'PutItem', { cause });
        }
      }
      const existing = await getItem(key);
      // The winner may have been erased between the failed put and the read: try again.
      if (existing) return { outcome: 'exists', existing: read(existing) };
    }
    throw new VaultStoreError(`conditional PutItem on ${tableName} kept losing to erased items`, 'PutItem');
  }

  return {
    async getWrappedKey(id: string): Promise<WrappedKeyRecord | undefined> {
      const item = await getItem({ pk: { S: id }, sk: { S: KEY_SK } });
      return item ? itemToWrappedKey(item) : undefined;
    },
    putWrappedKeyIfAbsent: (record) => putIfAbsent(wrappedKeyToItem(record), itemToWrappedKey),

    async getEntries(refs, getOptions = {}): Promise<Map<string, VaultEntry>> {
      const keys = dedupe(refs.map(entryKey), keyOf);
      const out = new Map<string, VaultEntry>();
      if (keys.length === 0) return out;
      for (const item of await batchGet(keys, getOptions.consistentRead ?? false)) {
        const entry = itemToEntry(item);
        out.set(indexRefKey(entry.ref), entry);
      }
      return out;
    },
    putEntryIfAbsent: (entry) => putIfAbsent(entryToItem(entry), itemToEntry),
    deleteEntries: (refs: readonly IndexRef[]) => batchWrite(deletes(refs.map(entryKey))),

    putPointers: (pointers: readonly TokenPointer[]) => batchWrite(puts(pointers.map(pointerToItem))),
    async getPointers(tokens: readonly Token[]): Promise<Map<Token, TokenPointer>> {
      const out = new Map<Token, TokenPointer>();
      const keys = dedupe(tokens.map(pointerKey), keyOf);
      if (keys.length === 0) return out;
      for (const item of await batchGet(keys, true)) {
        const pointer = itemToPointer(item);
        out.set(pointer.token, pointer);
      }
      return out;
    },
    deletePointers: (tokens: readonly Token[]) => batchWrite(deletes(tokens.map(pointerKey))),

    putLinks: (links: readonly SubjectLink[]) => batchWrite(puts(links.flatMap(linkItems))),
    async getLinks(token: Token): Promise<TokenLinks> {
      const result: TokenLinks = { contacts: [], subjects: [] };
      let startKey: Item | undefined;
      do {
        const out = await call('Query', () =>
          dynamodb.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': { S: `TOK#${token}` } },
              ConsistentRead: true,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        for (const item of out.Items ?? []) {
          const link = itemToLink(item);
          if (!link) continue;
          if (link.subjectToken === token) result.contacts.push(link);
          else result.subjects.push(link);
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return result;
    },
    deleteLinks: (links: readonly SubjectLink[]) =>
      batchWrite(deletes(links.flatMap(linkItems).map((item) => ({ pk: item.pk!, sk: item.sk! })))),

    async *scanEntries(indexVersion: string): AsyncIterable<VaultEntry[]> {
      let startKey: Item | undefined;
      do {
        const out = await call('Scan', () =>
          dynamodb.send(
            new ScanCommand({
              TableName: tableName,
              FilterExpression: 'begins_with(pk, :prefix) AND sk = :sk',
              ExpressionAttributeValues: { ':prefix': { S: `IDX#${indexVersion}#` }, ':sk': { S: 'ENTRY' } },
              ConsistentRead: true,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        const page = (out.Items ?? []).map(itemToEntry);
        if (page.length > 0) yield page;
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    },
  };
}

function keyOf(item: Item): string {
  return `${item.pk?.S}\u0000${item.sk?.S}`;
}

function dedupe<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const value of values) seen.set(key(value), value);
  return [...seen.values()];
}

// Errors thrown across two copies of the SDK are not instanceof each other; the name is stable.
function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
