import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClients, createAwsClients } from '@residency/aws';
import { outboxMessagesOf } from '@residency/core';
import { type LocalStack, startLocalStack } from '@residency/local';

/** A local stack in a temp directory, with clients for it. One per test file. */
export interface TestStack {
  stack: LocalStack;
  clients: AwsClients;
  documentClient: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** Starts the local stack (kinesalite, dynalite, kms-local; streams, tables, key) on free ports. */
export async function startTestStack(region = 'ap-south-1'): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-test-'));
  const stack = await startLocalStack({ dataDir, region });
  const clients = createAwsClients(stack.endpointsFile);
  const documentClient = DynamoDBDocumentClient.from(clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    stack,
    clients,
    documentClient,
    async stop() {
      clients.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Puts payloads on a stream in order, each with its partition key (500 per call). */
export async function putPayloads(
  kinesis: KinesisClient,
  streamName: string,
  payloads: ReadonlyArray<{ data: Uint8Array; partitionKey: string }>,
): Promise<void> {
  for (let i = 0; i < payloads.length; i += 500) {
    const chunk = payloads.slice(i, i + 500);
    const output = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((p) => ({ Data: p.data, PartitionKey: p.partitionKey })),
      }),
    );
    if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} test records were not put`);
  }
}

/** Every record of every shard of a stream, from the start. */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<Uint8Array[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out: Uint8Array[] = [];
  for (const shard of shards.Shards ?? []) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) if (record.Data) out.push(record.Data);
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Every outbox message of every record of a stream (a record carries one or more), from the start. */
export async function readOutboxMessages(kinesis: KinesisClient, streamName: string): Promise<Uint8Array[]> {
  return (await readStream(kinesis, streamName)).flatMap((data) => outboxMessagesOf(data));
}

/** Every item of a table. */
export async function scanAll<T>(documentClient: DynamoDBDocumentClient, tableName: string): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export { captureOutput, type OutputCapture } from '@residency/testing';
