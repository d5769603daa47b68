import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type AwsClients, createAwsClients } from '@residency/aws';
import { type BounceableEmulator, startBounceableEmulator } from '../../src/index.ts';

export const REGION = 'ap-south-1';

/** The three emulators, restartable, over one temporary data directory. */
export interface Emulators {
  dataDir: string;
  kinesis: BounceableEmulator;
  dynamodb: BounceableEmulator;
  kms: BounceableEmulator;
  /** Clients straight to the emulators (maxAttempts 1). */
  direct: AwsClients;
  stop(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faults-test-'));
  const kinesis = await startBounceableEmulator('kinesis', { region: REGION, dataDir });
  const dynamodb = await startBounceableEmulator('dynamodb', { region: REGION, dataDir });
  const kms = await startBounceableEmulator('kms', { region: REGION, dataDir });
  const direct = createAwsClients(
    { region: REGION, endpoints: { kinesis: kinesis.url, dynamodb: dynamodb.url, kms: kms.url } },
    { maxAttempts: 1 },
  );
  return {
    dataDir,
    kinesis,
    dynamodb,
    kms,
    direct,
    async stop() {
      direct.destroy();
      await kinesis.stop();
      await dynamodb.stop();
      await kms.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Clients through given endpoints. */
export function clientsFor(
  endpoints: { kinesis?: string; dynamodb?: string; kms?: string },
  maxAttempts = 1,
): AwsClients {
  return createAwsClients({ region: REGION, endpoints }, { maxAttempts });
}

export async function createStream(kinesis: KinesisClient, shardCount = 1): Promise<string> {
  const name = `faults-${randomUUID().slice(0, 8)}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function createTable(dynamodb: DynamoDBClient): Promise<string> {
  const name = `faults-${randomUUID().slice(0, 8)}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (;;) {
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    if (table.Table?.TableStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function createKey(kms: KMSClient): Promise<string> {
  const key = await kms.send(new CreateKeyCommand({ Description: 'faults test' }));
  return key.KeyMetadata?.Arn ?? '';
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
