import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { type AwsClients, createAwsClients } from '@residency/aws';
import {
  compositeKey,
  ensureTable,
  type RunningEmulator,
  startDynalite,
  startKinesalite,
} from '@residency/local';

/** The data region of the tests. */
export const DATA_REGION = 'ap-south-1';

/** The in-region side: kinesalite and dynalite (physically separate from the control plane's dynalite). */
export interface DataPlane {
  clients: AwsClients;
  close(): Promise<void>;
}

export async function startDataPlane(): Promise<DataPlane> {
  const kinesalite: RunningEmulator = await startKinesalite({ region: DATA_REGION });
  const dynalite: RunningEmulator = await startDynalite({ region: DATA_REGION });
  const clients = createAwsClients({
    region: DATA_REGION,
    endpoints: { kinesis: kinesalite.url, dynamodb: dynalite.url },
  });
  return {
    clients,
    async close() {
      clients.destroy();
      await Promise.all([kinesalite.close(), dynalite.close()]);
    },
  };
}

/** Creates a uniquely named outbox stream and waits until it is ACTIVE. */
export async function createOutbox(clients: AwsClients, shardCount = 1): Promise<string> {
  const streamName = `outbox-${randomUUID().slice(0, 8)}`;
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (;;) {
    const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return streamName;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Creates a pk/sk table with a unique name. */
export async function createLogTable(clients: AwsClients, role: string): Promise<string> {
  const tableName = `${role}-${randomUUID().slice(0, 8)}`;
  await ensureTable(clients.dynamodb, compositeKey(tableName));
  return tableName;
}

/** Puts outbox messages (JSON) on the stream, in order. */
export async function putOutbox(clients: AwsClients, streamName: string, messages: unknown[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 500) {
    const chunk = messages.slice(start, start + 500);
    const output = await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((message, index) => ({
          PartitionKey: `p-${start + index}`,
          Data: Buffer.from(JSON.stringify(message)),
        })),
      }),
    );
    if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records not put`);
  }
}

/** Polls `check` until it returns true or the timeout passes. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMillis = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
