import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { createAwsClients, EndpointsFileSchema, readEndpointsFile } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataDirectoryNotWritableError,
  InvalidRegionError,
  type LocalStack,
  PortInUseError,
  StackAlreadyRunningError,
  startLocalStack,
} from '../../src/index.ts';

const REGION = 'ap-south-1';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'residency-up-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const freshDir = () => mkdtemp(join(root, 'stack-'));

async function withStack<T>(dataDir: string, use: (stack: LocalStack) => Promise<T>): Promise<T> {
  const stack = await startLocalStack({ dataDir, region: REGION });
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

describe('startLocalStack', () => {
  it('writes an endpoints file that matches the contract, with loopback endpoints', async () => {
    // Prepare
    const dataDir = await freshDir();
    // Act
    const written = await withStack(dataDir, () => readEndpointsFile(dataDir));
    // Assess
    expect(EndpointsFileSchema.parse(written)).toEqual(written);
    expect(written).toMatchObject({
      region: REGION,
      accountId: '000000000000',
      pid: process.pid,
      streams: { events: 'residency-events', outbox: 'residency-outbox' },
      keyArn: expect.stringMatching(new RegExp(`^arn:aws:kms:${REGION}:000000000000:key/`)),
    });
    expect(Object.keys(written.tables).sort()).toEqual([
      'aggregates',
      'audit',
      'checkpoints',
      'controlRecords',
      'egressLog',
      'quarantine',
      'vault',
    ]);
    for (const url of Object.values(written.endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates streams with two shards, tables with a pk/sk key, and the key alias', async () => {
    // Prepare
    const dataDir = await freshDir();
    await withStack(dataDir, async ({ endpointsFile }) => {
      const clients = createAwsClients(endpointsFile);
      try {
        // Act
        const stream = await clients.kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: endpointsFile.streams.events }),
        );
        const table = await clients.dynamodb.send(
          new DescribeTableCommand({ TableName: endpointsFile.tables.vault }),
        );
        const key = await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/residency-data' }));
        // Assess
        expect(stream.StreamDescriptionSummary?.OpenShardCount).toBe(2);
        expect(stream.StreamDescriptionSummary?.StreamARN).toBe(
          `arn:aws:kinesis:${REGION}:000000000000:stream/residency-events`,
        );
        expect(table.Table?.KeySchema).toEqual([
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ]);
        expect(table.Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
        expect(key.KeyMetadata?.Arn).toBe(endpointsFile.keyArn);
      } finally {
        clients.destroy();
      }
    });
  });

  it('keeps stream records, table items and the key across a restart on the same directory', async () => {
    // Prepare: write a record, an item and a ciphertext, then stop
    const dataDir = await freshDir();
    const written = await withStack(dataDir, async ({ endpointsFile }) => {
      const clients = createAwsClients(endpointsFile);
      try {
        const put = await clients.kinesis.send(
          new PutRecordCommand({
            StreamName: endpointsFile.streams.events,
            PartitionKey: 'p',
            Data: Buffer.from('event-1'),
          }),
        );
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: endpointsFile.tables.vault,
            Item: { pk: { S: 'a' }, sk: { S: 'b' }, v: { S: 'item-1' } },
          }),
        );
        const encrypted = await clients.kms.send(
          new EncryptCommand({
            KeyId: endpointsFile.keyArn,
            Plaintext: Buffer.from('secret-1'),
            EncryptionContext: { purpose: 'test' },
          }),
        );
        return {
          shardId: put.ShardId ?? '',
          keyArn: endpointsFile.keyArn,
          ciphertext: encrypted.CiphertextBlob,
        };
      } finally {
        clients.destroy();
      }
    });
    // Act
    const read = await withStack(dataDir, async ({ endpointsFile }) => {
      const clients = createAwsClients(endpointsFile);
      try {
        const iterator = await clients.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: endpointsFile.streams.events,
            ShardId: written.shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        const records = await clients.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }),
        );
        const item = await clients.dynamodb.send(
          new GetItemCommand({
            TableName: endpointsFile.tables.vault,
            Key: { pk: { S: 'a' }, sk: { S: 'b' } },
          }),
        );
        const decrypted = await clients.kms.send(
          new DecryptCommand({
            CiphertextBlob: written.ciphertext,
            KeyId: endpointsFile.keyArn,
            EncryptionContext: { purpose: 'test' },
          }),
        );
        return {
          keyArn: endpointsFile.keyArn,
          data: (records.Records ?? []).map((record) => Buffer.from(record.Data ?? []).toString()),
          item: item.Item?.v?.S,
          plaintext: Buffer.from(decrypted.Plaintext ?? []).toString(),
        };
      } finally {
        clients.destroy();
      }
    });
    // Assess
    expect(read).toEqual({
      keyArn: written.keyArn,
      data: ['event-1'],
      item: 'item-1',
      plaintext: 'secret-1',
    });
  });

  it('removes endpoints.json and the lock on stop', async () => {
    // Prepare
    const dataDir = await freshDir();
    const stack = await startLocalStack({ dataDir, region: REGION });
    // Act
    await stack.stop();
    // Assess
    await expect(stat(join(dataDir, 'endpoints.json'))).rejects.toThrow();
    await expect(stat(join(dataDir, 'up.lock'))).rejects.toThrow();
  });

  it('refuses a second stack on a directory in use', async () => {
    // Prepare
    const dataDir = await freshDir();
    await withStack(dataDir, async () => {
      // Act
      const second = startLocalStack({ dataDir, region: REGION });
      // Assess
      await expect(second).rejects.toBeInstanceOf(StackAlreadyRunningError);
      await expect(second).rejects.toMatchObject({ pid: process.pid });
    });
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    // Prepare: the pid of a process that has already exited
    const dataDir = await freshDir();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dataDir, 'up.lock'), JSON.stringify({ pid: deadPid }));
    // Act
    const pid = await withStack(
      dataDir,
      async () => JSON.parse(await readFile(join(dataDir, 'up.lock'), 'utf8')).pid,
    );
    // Assess
    expect(pid).toBe(process.pid);
  });

  it('reports a fixed port that is in use, and leaves the directory usable', async () => {
    // Prepare
    const dataDir = await freshDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      // Act
      const attempt = startLocalStack({ dataDir, region: REGION, ports: { dynamodb: port } });
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
      await expect(attempt).rejects.toMatchObject({ service: 'dynamodb', port });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    await withStack(dataDir, async (stack) => expect(stack.endpointsFile.region).toBe(REGION));
  });

  it('reports a data directory that cannot be created', async () => {
    // Prepare: a path below a regular file
    const file = join(await freshDir(), 'a-file');
    await writeFile(file, '');
    // Act
    const attempt = startLocalStack({ dataDir: join(file, 'data'), region: REGION });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(DataDirectoryNotWritableError);
  });

  it.each(['mars-1', 'us-east', 'AP-SOUTH-1', ''])('refuses %j as a region name', async (region) => {
    // Act
    const attempt = startLocalStack({ dataDir: await freshDir(), region });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidRegionError);
  });
});
