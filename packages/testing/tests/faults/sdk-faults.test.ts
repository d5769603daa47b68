import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectSdkFaults, readStreamRecords } from '../../src/index.ts';
import {
  clientsFor,
  createKey,
  createStream,
  createTable,
  type Emulators,
  errorOf,
  startEmulators,
} from './support.ts';

describe('SDK middleware fault injection', () => {
  let emulators: Emulators;
  let once: AwsClients;
  let retrying: AwsClients;
  let tableName: string;
  let keyArn: string;

  beforeAll(async () => {
    emulators = await startEmulators();
    const endpoints = {
      kinesis: emulators.kinesis.url,
      dynamodb: emulators.dynamodb.url,
      kms: emulators.kms.url,
    };
    once = clientsFor(endpoints, 1);
    retrying = clientsFor(endpoints, 3);
    tableName = await createTable(once.dynamodb);
    keyArn = await createKey(once.kms);
  });

  afterAll(async () => {
    once?.destroy();
    retrying?.destroy();
    await emulators?.stop();
  });

  const itemExists = async (pk: string) =>
    (
      await emulators.direct.dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } } }),
      )
    ).Item !== undefined;

  it('raises the SDK’s own exception classes from canned service errors, inside its retry loop', async () => {
    // Prepare
    const faults = injectSdkFaults(retrying.kms, { rules: [{ fault: { kind: 'throttle' }, next: 2 }] });
    const single = injectSdkFaults(once.kms, { rules: [{ fault: { kind: 'throttle' }, next: 1 }] });

    // Act
    const retried = await retrying.kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }),
    );
    const error = await errorOf(
      once.kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })),
    );

    // Assess
    expect(retried.$metadata.attempts).toBe(3);
    expect(faults.stats()).toMatchObject({ requests: 3, forwarded: 1, injected: { throttle: 2 } });
    expect(error.name).toBe('ThrottlingException');
    faults.remove();
    single.remove();
  });

  it('loses the answer of an applied request (reset after forwarding) and drops one before (reset)', async () => {
    // Prepare
    const faults = injectSdkFaults(once.dynamodb, {
      rules: [
        { fault: { kind: 'reset', afterForwarding: true }, next: 1 },
        { fault: { kind: 'reset' }, next: 1 },
      ],
    });
    const [a, b] = [randomUUID(), randomUUID()];
    const put = (pk: string) =>
      once.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk } } }));

    // Act
    const after = await errorOf(put(a));
    const before = await errorOf(put(b));

    // Assess
    expect(after.code).toBe('ECONNRESET');
    expect(before.code).toBe('ECONNRESET');
    expect(await itemExists(a)).toBe(true);
    expect(await itemExists(b)).toBe(false);
    faults.remove();
  });

  it('fails part of a PutRecords call: the failed entries are not on the stream', async () => {
    // Prepare
    const stream = await createStream(once.kinesis);
    const faults = injectSdkFaults(once.kinesis, {
      seed: 4,
      rules: [{ operations: ['PutRecords'], fault: { kind: 'partial', failFraction: 0.5 } }],
    });
    const ids = Array.from({ length: 30 }, () => randomUUID());

    // Act
    const output = await once.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: ids.map((id) => ({ Data: Buffer.from(id), PartitionKey: id })),
      }),
    );
    faults.remove();

    // Assess
    const put = ids.filter((_, i) => output.Records?.[i]?.SequenceNumber);
    expect(output.FailedRecordCount).toBe(ids.length - put.length);
    expect(output.FailedRecordCount).toBeGreaterThan(0);
    const stored = (await readStreamRecords(once.kinesis, stream)).map((r) => Buffer.from(r.data).toString());
    expect(new Set(stored)).toEqual(new Set(put));
  });

  it('stops injecting once removed', async () => {
    // Prepare
    const faults = injectSdkFaults(once.dynamodb, { rules: [{ fault: { kind: 'serverError' } }] });
    faults.remove();
    const pk = randomUUID();

    // Act
    await once.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk } } }));

    // Assess
    expect(await itemExists(pk)).toBe(true);
  });
});
