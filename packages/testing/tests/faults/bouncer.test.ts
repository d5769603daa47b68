import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createMemoryCheckpointStore } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bounceable,
  createBounceableMapping,
  type FaultyLocalStack,
  readStreamRecords,
  startFaultyLocalStack,
} from '../../src/index.ts';
import { createStream, createTable, type Emulators, errorOf, startEmulators } from './support.ts';

describe('bounceable', () => {
  it('restarts a component, serializing concurrent calls', async () => {
    // Prepare
    const events: string[] = [];
    let n = 0;
    const component = bounceable('thing', async () => {
      const id = ++n;
      events.push(`start ${id}`);
      return { stop: async () => void events.push(`stop ${id}`) };
    });

    // Act
    await component.start();
    await Promise.all([component.restart(), component.restart(), component.stop()]);

    // Assess
    expect(events).toEqual(['start 1', 'stop 1', 'start 2', 'stop 2', 'start 3', 'stop 3']);
    expect(component.running).toBe(false);
    expect(component.restarts).toBe(2);
  });
});

describe('bounceable emulators and event source mapping', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('restarts kinesalite and dynalite on the same port over the same data directory: data survives', async () => {
    // Prepare
    const { direct } = emulators;
    const stream = await createStream(direct.kinesis);
    const table = await createTable(direct.dynamodb);
    const pk = randomUUID();
    await direct.kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from(pk), PartitionKey: pk }] }),
    );
    await direct.dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));
    const urls = [emulators.kinesis.url, emulators.dynamodb.url];

    // Act
    await emulators.dynamodb.stop();
    const whileDown = await errorOf(
      direct.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } } })),
    );
    await emulators.dynamodb.start();
    await emulators.kinesis.restart();

    // Assess
    expect(whileDown).toBeInstanceOf(Error);
    expect([emulators.kinesis.url, emulators.dynamodb.url]).toEqual(urls);
    const item = await direct.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } } }));
    expect(item.Item?.pk?.S).toBe(pk);
    const records = await readStreamRecords(direct.kinesis, stream);
    expect(records.map((r) => Buffer.from(r.data).toString())).toEqual([pk]);
  });

  async function streamWith(count: number) {
    const stream = await createStream(emulators.direct.kinesis, 2);
    const ids = Array.from({ length: count }, (_, i) => `r${String(i).padStart(4, '0')}`);
    await emulators.direct.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: ids.map((id) => ({ Data: Buffer.from(id), PartitionKey: id })),
      }),
    );
    return { stream, ids };
  }

  function recordingMapping(stream: string) {
    const deliveries: string[] = [];
    const mapping = createBounceableMapping({
      kinesis: emulators.direct.kinesis,
      streamName: stream,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
      idlePollMillis: 10,
      checkpointStore: createMemoryCheckpointStore(),
      handler: async (event) => {
        for (const record of event.Records)
          deliveries.push(Buffer.from(record.kinesis.data, 'base64').toString());
      },
    });
    return { mapping, deliveries };
  }

  it('crashes the poller mid-batch: the crashed batch is delivered again, nothing is lost', async () => {
    // Prepare
    const { stream, ids } = await streamWith(100);
    const { mapping, deliveries } = recordingMapping(stream);

    // Act
    const crashed = mapping.crashOnInvocation(3);
    await mapping.start();
    await crashed;
    await mapping.drain({ timeoutMillis: 60_000 });
    await mapping.stop();

    // Assess
    expect(mapping.crashes).toBe(1);
    expect(new Set(deliveries)).toEqual(new Set(ids));
    expect(deliveries.length).toBeGreaterThan(ids.length);
    expect(mapping.stats().recordsDelivered).toBe(deliveries.length);
  });

  it('restarts the poller cleanly: it resumes from its checkpoints without redelivering', async () => {
    // Prepare
    const { stream, ids } = await streamWith(60);
    const { mapping, deliveries } = recordingMapping(stream);
    await mapping.start();
    await mapping.drain({ timeoutMillis: 60_000 });

    // Act
    await mapping.restart();
    await emulators.direct.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [{ Data: Buffer.from('late'), PartitionKey: 'late' }],
      }),
    );
    await mapping.drain({ timeoutMillis: 60_000 });
    await mapping.stop();

    // Assess
    expect(mapping.restarts).toBe(1);
    expect(deliveries.sort()).toEqual([...ids, 'late'].sort());
  });
});

describe('faulty local stack', () => {
  let dataDir: string;
  let stack: FaultyLocalStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'faulty-stack-'));
    stack = await startFaultyLocalStack({ dataDir });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('provisions the resources and writes endpoints.json naming the proxies', async () => {
    // Act
    const written = JSON.parse(await readFile(stack.endpointsFilePath, 'utf8'));

    // Assess
    expect(written.endpoints).toEqual({
      kinesis: stack.proxies.kinesis?.url,
      dynamodb: stack.proxies.dynamodb?.url,
      kms: stack.proxies.kms?.url,
    });
    expect(written.streams).toMatchObject({ events: 'residency-events', outbox: 'residency-outbox' });
    expect(written.tables).toMatchObject({ vault: 'residency-vault', quarantine: 'residency-quarantine' });
    expect(written.keyArn).toMatch(/^arn:aws:kms:ap-south-1:000000000000:key\//);
  });

  it('keeps serving through the proxies across emulator restarts, and counts faults per proxy', async () => {
    // Prepare
    const clients = stack.proxiedClients();
    const table = stack.endpointsFile.tables.quarantine ?? '';
    const pk = randomUUID();
    stack.setFaults({
      dynamodb: { rules: [{ operations: ['PutItem'], fault: { kind: 'throttle' }, next: 1 }] },
    });

    // Act
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: 'x' } } }),
    );
    await stack.emulators.dynamodb.restart();
    const item = await clients.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: 'x' } } }),
    );

    // Assess
    expect(item.Item?.pk?.S).toBe(pk);
    expect(stack.stats().dynamodb?.injected.throttle).toBe(1);
    expect(stack.stats().kinesis?.injected.throttle).toBe(0);
  });
});
