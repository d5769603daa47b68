import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchGetIncompleteError,
  type BatchRetry,
  queryAll,
  queryPages,
  readBatch,
  writeBatch,
} from '../src/index.ts';

const TABLE = 'batch-test';
// No waiting between attempts: the tests count attempts, not time.
const quick: BatchRetry = {
  maxAttempts: 4,
  baseDelayMillis: 1,
  maxDelayMillis: 1,
  sleep: async () => undefined,
};

type Send = DynamoDBDocumentClient['send'];

/** A document client whose calls go through `intercept` before (or instead of) dynalite. */
function through(
  real: DynamoDBDocumentClient,
  intercept: (command: unknown, send: Send) => Promise<unknown>,
) {
  return {
    send: (command: unknown) => intercept(command, real.send.bind(real) as Send),
  } as DynamoDBDocumentClient;
}

describe('batch reads and writes against dynalite', () => {
  const server = dynalite({ createTableMs: 0 });
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({
      region: 'ap-south-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    doc = DynamoDBDocumentClient.from(client);
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('writes in calls of 25, deletes, and reads back by key, each key once', async () => {
    // Prepare
    let writeCalls = 0;
    const counting = through(doc, (command, send) => {
      if (command instanceof BatchWriteCommand) writeCalls += 1;
      return send(command as never);
    });
    const items = Array.from({ length: 60 }, (_, i) => ({
      pk: 'plain',
      sk: String(i).padStart(2, '0'),
      n: i,
    }));

    // Act
    const written = await writeBatch(counting, TABLE, items, (item) => ({ put: item }), { concurrency: 2 });
    const deleted = await writeBatch(doc, TABLE, items.slice(0, 10), (item) => ({ delete: item }));
    const keys = [...items, items[20], { pk: 'plain', sk: 'absent' }].map((i) => ({
      pk: i?.pk ?? '',
      sk: i?.sk ?? '',
    }));
    const found = await readBatch<(typeof items)[number]>(doc, TABLE, keys, { concurrency: 2 });

    // Assess
    expect([written.failed, written.refused, deleted.failed, deleted.refused]).toEqual([[], [], [], []]);
    expect(writeCalls).toBe(3);
    expect([...found.values()].map((i) => i.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 10),
    );
    expect(found.get('plain\n20')?.n).toBe(20);
  });

  it('sends again what DynamoDB left unprocessed, until it is written', async () => {
    // Prepare: the first two calls leave their last three requests unprocessed (as throttling does)
    let calls = 0;
    const throttled = through(doc, async (command, send) => {
      if (!(command instanceof BatchWriteCommand)) return send(command as never);
      calls += 1;
      const requests = command.input.RequestItems?.[TABLE] ?? [];
      if (calls > 2) return send(command as never);
      const kept = requests.slice(0, -3);
      if (kept.length > 0) await send(new BatchWriteCommand({ RequestItems: { [TABLE]: kept } }) as never);
      return { UnprocessedItems: { [TABLE]: requests.slice(-3) } };
    });
    const items = Array.from({ length: 10 }, (_, i) => ({ pk: 'throttled', sk: String(i) }));

    // Act
    const outcome = await writeBatch(throttled, TABLE, items, (item) => ({ put: item }), { retry: quick });

    // Assess
    expect([outcome.failed, outcome.refused, calls]).toEqual([[], [], 3]);
    expect((await readBatch(doc, TABLE, items)).size).toBe(10);
  });

  it('sends a whole call again when an unprocessed request in its answer matches none it sent', async () => {
    // Prepare: the first call writes nothing and answers with a request it cannot match (keys in
    // the wire format, as a client without the document client's unmarshalling would give them)
    let calls = 0;
    const garbled = through(doc, async (command, send) => {
      if (!(command instanceof BatchWriteCommand)) return send(command as never);
      calls += 1;
      if (calls > 1) return send(command as never);
      return {
        UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: 'garbled' }, sk: { S: '0' } } } }] },
      };
    });
    const items = Array.from({ length: 4 }, (_, i) => ({ pk: 'garbled', sk: String(i) }));

    // Act
    const outcome = await writeBatch(garbled, TABLE, items, (item) => ({ put: item }), { retry: quick });

    // Assess: nothing passed for written; all four were sent again and are in the table
    expect([outcome.failed, outcome.refused, calls]).toEqual([[], [], 2]);
    expect((await readBatch(doc, TABLE, items)).size).toBe(4);
  });

  it('refuses an item over 400 KB alone, and writes the others of its call', async () => {
    // Prepare
    const small = Array.from({ length: 5 }, (_, i) => ({ pk: 'sizes', sk: `small-${i}` }));
    const big = { pk: 'sizes', sk: 'big', blob: 'x'.repeat(410 * 1024) };

    // Act
    const outcome = await writeBatch(
      doc,
      TABLE,
      [small[0], big, ...small.slice(1)],
      (item) => ({ put: item! }),
      {
        retry: quick,
      },
    );

    // Assess
    expect([outcome.refused, outcome.failed]).toEqual([[big], []]);
    expect((await readBatch(doc, TABLE, [...small, big])).size).toBe(5);
  });

  it('returns what failed when the retries run out, with the last error', async () => {
    // Prepare: every call fails
    const down = through(doc, async () => {
      throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
    });
    const items = [{ pk: 'down', sk: '1' }];

    // Act
    const outcome = await writeBatch(down, TABLE, items, (item) => ({ put: item }), { retry: quick });

    // Assess
    expect(outcome.failed).toEqual(items);
    expect((outcome.lastError as Error).message).toBe('service unavailable');
  });

  it('queries every page, and reads no further page once the caller stops', async () => {
    // Prepare: five items in one partition, read one to a page
    let queries = 0;
    const counting = through(doc, (command, send) => {
      queries += 1;
      return send(command as never);
    });
    const items = Array.from({ length: 5 }, (_, i) => ({ pk: 'paged', sk: String(i) }));
    await writeBatch(doc, TABLE, items, (item) => ({ put: item }));
    const input = {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'paged' },
      Limit: 1,
    };

    // Act
    const all = await queryAll<{ sk: string }>(counting, input);
    const readAll = queries;
    queries = 0;
    for await (const page of queryPages(counting, input)) if ((page.Items ?? []).length > 0) break;

    // Assess: 5 pages and the empty last one; then the first page only
    expect(all.map((i) => i.sk)).toEqual(['0', '1', '2', '3', '4']);
    expect([readAll, queries]).toEqual([6, 1]);
  });

  it('throws, rather than report an item absent, when keys stay unprocessed', async () => {
    // Prepare: every read leaves its keys unprocessed
    const starved = through(doc, async (command) => {
      const keys = (command as BatchGetCommand).input.RequestItems?.[TABLE]?.Keys ?? [];
      return { Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: keys } } };
    });

    // Act
    const read = readBatch(starved, TABLE, [{ pk: 'plain', sk: '30' }], { retry: quick });

    // Assess
    await expect(read).rejects.toBeInstanceOf(BatchGetIncompleteError);
  });
});
