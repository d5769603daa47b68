import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createAwsClients } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStackProcess, readStreamRecords, startLocalStackProcess } from '../../src/index.ts';

describe('local stack in a child process', () => {
  let dataDir: string;
  let up: LocalStackProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stack-process-'));
    up = await startLocalStackProcess({ dataDir });
  }, 120_000);

  afterAll(async () => {
    await up?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('comes back after kill -9 on the same endpoints with what was written before', async () => {
    // Prepare
    const before = up.endpointsFile();
    const clients = createAwsClients(before, { maxAttempts: 1 });
    const id = randomUUID();
    const table = before.tables.vault ?? '';
    const stream = before.streams.events ?? '';
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: id }, sk: { S: 'x' } } }),
    );
    await clients.kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from(id), PartitionKey: id }] }),
    );
    const pid = up.pid;

    // Act
    await up.kill('SIGKILL');
    const wasRunning = up.running;
    await up.start();

    // Assess
    expect(wasRunning).toBe(false);
    expect(up.pid).not.toBe(pid);
    expect(up.endpointsFile().endpoints).toEqual(before.endpoints);
    const item = await clients.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: id }, sk: { S: 'x' } } }),
    );
    expect(item.Item?.pk?.S).toBe(id);
    const records = await readStreamRecords(clients.kinesis, stream);
    expect(records.map((r) => Buffer.from(r.data).toString())).toContain(id);
    clients.destroy();
  }, 120_000);
});
