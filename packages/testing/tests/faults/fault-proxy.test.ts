import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, readStreamRecords, scanTable, startFaultProxy } from '../../src/index.ts';
import {
  clientsFor,
  createKey,
  createStream,
  createTable,
  type Emulators,
  errorOf,
  startEmulators,
} from './support.ts';

describe('fault proxy in front of the real emulators', () => {
  let emulators: Emulators;
  const proxies: Record<'kinesis' | 'dynamodb' | 'kms', FaultProxy> = {} as never;
  let once: AwsClients; // maxAttempts 1: the raw outcome of each fault
  let retrying: AwsClients; // the SDK's default 3 attempts
  let streamName: string;
  let tableName: string;
  let keyArn: string;

  beforeAll(async () => {
    emulators = await startEmulators();
    for (const service of ['kinesis', 'dynamodb', 'kms'] as const) {
      proxies[service] = await startFaultProxy({ target: emulators[service].url });
    }
    const endpoints = { kinesis: proxies.kinesis.url, dynamodb: proxies.dynamodb.url, kms: proxies.kms.url };
    once = clientsFor(endpoints, 1);
    retrying = clientsFor(endpoints, 3);
    streamName = await createStream(once.kinesis);
    tableName = await createTable(once.dynamodb);
    keyArn = await createKey(once.kms);
  });

  afterAll(async () => {
    once?.destroy();
    retrying?.destroy();
    for (const proxy of Object.values(proxies)) await proxy?.close();
    await emulators?.stop();
  });

  const putItem = (clients: AwsClients, pk: string) =>
    clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk } } }));
  const itemExists = async (pk: string) =>
    (
      await emulators.direct.dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
      )
    ).Item !== undefined;

  it('passes requests through unchanged when no fault is planned, and counts them by operation', async () => {
    // Prepare
    proxies.dynamodb.clearFaults();
    proxies.dynamodb.resetStats();
    const pk = randomUUID();

    // Act
    await putItem(once, pk);

    // Assess
    expect(await itemExists(pk)).toBe(true);
    expect(proxies.dynamodb.stats()).toMatchObject({
      requests: 1,
      forwarded: 1,
      byOperation: { 'DynamoDB.PutItem': { requests: 1, injected: 0 } },
    });
  });

  it('answers with each service’s own throttling error, which the SDK parses and retries', async () => {
    // Prepare
    proxies.kinesis.setFaults({
      rules: [{ operations: ['PutRecords'], fault: { kind: 'throttle' }, next: 1 }],
    });
    proxies.dynamodb.setFaults({
      rules: [{ operations: ['PutItem'], fault: { kind: 'throttle' }, next: 1 }],
    });
    proxies.kms.setFaults({
      rules: [{ operations: ['GenerateDataKey'], fault: { kind: 'throttle' }, next: 1 }],
    });
    const records = { StreamName: streamName, Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }] };

    // Act
    const kinesisError = await errorOf(once.kinesis.send(new PutRecordsCommand(records)));
    const dynamoError = await errorOf(putItem(once, randomUUID()));
    const kmsError = await errorOf(
      once.kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })),
    );
    proxies.kms.setFaults({ rules: [{ fault: { kind: 'throttle' }, next: 2 }] });
    const retried = await retrying.kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }),
    );

    // Assess
    expect(kinesisError.name).toBe('ProvisionedThroughputExceededException');
    expect(dynamoError.name).toBe('ProvisionedThroughputExceededException');
    expect(kmsError.name).toBe('ThrottlingException');
    expect((kmsError.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    expect(retried.$metadata.attempts).toBe(3);
    expect(proxies.kms.stats().injected.throttle).toBe(3);
  });

  it('answers 500 and 503 with the services’ error types', async () => {
    // Prepare
    proxies.kinesis.setFaults({ rules: [{ fault: { kind: 'serverError', status: 500 }, next: 1 }] });
    proxies.dynamodb.setFaults({ rules: [{ fault: { kind: 'serverError', status: 503 }, next: 1 }] });

    // Act
    const kinesisError = await errorOf(
      once.kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }],
        }),
      ),
    );
    const dynamoError = await errorOf(putItem(once, randomUUID()));

    // Assess
    expect(kinesisError.name).toBe('InternalFailure');
    expect((kinesisError.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(500);
    expect(dynamoError.name).toBe('ServiceUnavailable');
    expect((dynamoError.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(503);
  });

  it('applies a request and then loses the answer (5xx or reset after forwarding): the ambiguous failure', async () => {
    // Prepare
    const [a, b] = [randomUUID(), randomUUID()];
    proxies.dynamodb.setFaults({
      rules: [
        { fault: { kind: 'serverError', status: 500, afterForwarding: true }, next: 1 },
        { fault: { kind: 'reset', afterForwarding: true }, next: 1 },
      ],
    });

    // Act
    const first = await errorOf(putItem(once, a));
    const second = await errorOf(putItem(once, b));

    // Assess: the client saw failures, yet both items were written
    expect(first.name).toBe('InternalServerError');
    expect(second.code ?? second.name).toMatch(/ECONNRESET|socket hang up|Error/);
    expect(await itemExists(a)).toBe(true);
    expect(await itemExists(b)).toBe(true);
  });

  it('drops the connection before forwarding (reset) or after holding it (timeout): nothing is applied', async () => {
    // Prepare
    const [a, b] = [randomUUID(), randomUUID()];
    proxies.dynamodb.setFaults({
      rules: [
        { fault: { kind: 'reset' }, next: 1 },
        { fault: { kind: 'timeout', holdMillis: 50 }, next: 1 },
      ],
    });

    // Act
    const reset = await errorOf(putItem(once, a));
    const timeout = await errorOf(putItem(once, b));

    // Assess
    expect(reset).toBeInstanceOf(Error);
    expect(timeout).toBeInstanceOf(Error);
    expect(await itemExists(a)).toBe(false);
    expect(await itemExists(b)).toBe(false);
    expect(proxies.dynamodb.stats().injected).toMatchObject({ reset: 2, timeout: 1, serverError: 2 });
  });

  it('delays an answer without changing it', async () => {
    // Prepare
    const pk = randomUUID();
    proxies.dynamodb.setFaults({ rules: [{ fault: { kind: 'delay', millis: 30 }, next: 1 }] });

    // Act
    await putItem(once, pk);

    // Assess
    expect(await itemExists(pk)).toBe(true);
  });

  it('fails part of a PutRecords call: exactly the records reported as put are on the stream', async () => {
    // Prepare
    const stream = await createStream(emulators.direct.kinesis);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    proxies.kinesis.setFaults({
      seed: 5,
      rules: [{ fault: { kind: 'partial', failFraction: 0.4 }, next: 1 }],
    });

    // Act
    const output = await once.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: ids.map((id) => ({ Data: Buffer.from(id), PartitionKey: id })),
      }),
    );

    // Assess
    const reported = ids.filter((_, i) => output.Records?.[i]?.SequenceNumber !== undefined);
    const failed =
      output.Records?.filter((r) => r.ErrorCode === 'ProvisionedThroughputExceededException') ?? [];
    expect(output.FailedRecordCount).toBe(failed.length);
    expect(failed.length).toBeGreaterThan(0);
    expect(reported.length + failed.length).toBe(ids.length);
    const stored = (await readStreamRecords(emulators.direct.kinesis, stream)).map((r) =>
      Buffer.from(r.data).toString(),
    );
    expect(new Set(stored)).toEqual(new Set(reported));
  });

  it('fails part of BatchWriteItem and BatchGetItem with UnprocessedItems and UnprocessedKeys', async () => {
    // Prepare
    const table = await createTable(emulators.direct.dynamodb);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    proxies.dynamodb.setFaults({
      seed: 9,
      rules: [{ fault: { kind: 'partial', failFraction: 0.5 }, next: 2 }],
    });

    // Act
    const written = await once.dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: ids.map((id) => ({ PutRequest: { Item: { pk: { S: id } } } })) },
      }),
    );
    const read = await once.dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [table]: { Keys: ids.map((id) => ({ pk: { S: id } })) } } }),
    );

    // Assess
    const unprocessed = (written.UnprocessedItems?.[table] ?? []).map((r) => r.PutRequest?.Item?.pk?.S);
    expect(unprocessed.length).toBeGreaterThan(0);
    const stored = (await scanTable(emulators.direct.dynamodb, table)).map((i) => i.pk?.S);
    expect(new Set(stored)).toEqual(new Set(ids.filter((id) => !unprocessed.includes(id))));
    const found = (read.Responses?.[table] ?? []).map((i) => i.pk?.S);
    const notRead = (read.UnprocessedKeys?.[table]?.Keys ?? []).map((k) => k.pk?.S);
    expect(notRead.length).toBeGreaterThan(0);
    expect(new Set([...found, ...notRead])).toEqual(new Set([...stored, ...notRead]));
    expect(found.some((id) => notRead.includes(id))).toBe(false);
  });

  it('drops client connections while its target is down, and serves again once it is back', async () => {
    // Prepare
    proxies.kms.clearFaults();
    proxies.kms.resetStats();
    const key = await retrying.kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));

    // Act
    await emulators.kms.stop();
    const down = await errorOf(
      once.kms.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, KeyId: keyArn })),
    );
    await emulators.kms.start();
    const up = await once.kms.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, KeyId: keyArn }));

    // Assess: the key survived the restart (persisted in the data directory)
    expect(down).toBeInstanceOf(Error);
    expect(proxies.kms.stats().upstreamErrors).toBe(1);
    expect(Buffer.from(up.Plaintext ?? []).equals(Buffer.from(key.Plaintext ?? []))).toBe(true);
  });
});
