import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { createAwsClients } from '@residency/aws';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { startKinesalite } from '../../src/index.ts';

export const REGION = 'ap-south-1';

/** A kinesalite in this process and a client for it; one per test file. */
export interface KinesisFixture {
  kinesis: KinesisClient;
  close(): Promise<void>;
}

export async function startKinesisFixture(): Promise<KinesisFixture> {
  const emulator = await startKinesalite({ region: REGION });
  const clients = createAwsClients({ region: REGION, endpoints: { kinesis: emulator.url } });
  return {
    kinesis: clients.kinesis,
    async close() {
      clients.destroy();
      await emulator.close();
    },
  };
}

/** Creates a uniquely named stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, shardCount = 1): Promise<string> {
  const streamName = `esm-${randomUUID().slice(0, 8)}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return streamName;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A record as the test wrote it, with where Kinesis put it. */
export interface PutResult {
  id: string;
  key: string;
  sequenceNumber: string;
  shardId: string;
}

/** Puts `{ id, ...extra }` JSON records in order (one PutRecords call per 500). */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  items: ReadonlyArray<{ id: string; key?: string; padding?: string }>,
): Promise<PutResult[]> {
  const results: PutResult[] = [];
  for (let start = 0; start < items.length; start += 500) {
    const chunk = items.slice(start, start + 500);
    const output = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((item) => ({
          PartitionKey: item.key ?? item.id,
          Data: Buffer.from(JSON.stringify({ id: item.id, padding: item.padding })),
        })),
      }),
    );
    output.Records?.forEach((entry, index) => {
      const item = chunk[index];
      if (!item || !entry.SequenceNumber || !entry.ShardId)
        throw new Error(`put failed: ${entry.ErrorMessage}`);
      results.push({
        id: item.id,
        key: item.key ?? item.id,
        sequenceNumber: entry.SequenceNumber,
        shardId: entry.ShardId,
      });
    });
  }
  return results;
}

/** Puts one record with PutRecord (for records too large to group). */
export async function putRecord(
  kinesis: KinesisClient,
  streamName: string,
  item: { id: string; key?: string; padding?: string },
): Promise<PutResult> {
  const output = await kinesis.send(
    new PutRecordCommand({
      StreamName: streamName,
      PartitionKey: item.key ?? item.id,
      Data: Buffer.from(JSON.stringify({ id: item.id, padding: item.padding })),
    }),
  );
  return {
    id: item.id,
    key: item.key ?? item.id,
    sequenceNumber: output.SequenceNumber ?? '',
    shardId: output.ShardId ?? '',
  };
}

export function ids(count: number, prefix = 'r'): Array<{ id: string }> {
  return Array.from({ length: count }, (_, index) => ({ id: `${prefix}${index}` }));
}

/** One handler invocation as the test saw it. */
export interface Delivery {
  ids: string[];
  sequenceNumbers: string[];
  shardIds: string[];
  event: KinesisStreamEvent;
  context: Context;
}

export function decodeId(data: string): string {
  return (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id;
}

/**
 * A handler that records every delivery and answers with `respond` (given the delivery and its
 * 0-based call number). `respond` may throw to fail the invocation.
 */
export function recordingHandler(respond: (delivery: Delivery, call: number) => unknown = () => undefined) {
  const deliveries: Delivery[] = [];
  const handler = async (event: KinesisStreamEvent, context: Context) => {
    const delivery: Delivery = {
      ids: event.Records.map((record) => decodeId(record.kinesis.data)),
      sequenceNumbers: event.Records.map((record) => record.kinesis.sequenceNumber),
      shardIds: event.Records.map((record) => record.eventID.split(':')[0] ?? ''),
      event,
      context,
    };
    deliveries.push(delivery);
    return respond(delivery, deliveries.length - 1);
  };
  return { deliveries, handler };
}

/** Options that keep tests fast on a small machine. */
export const FAST = {
  idlePollMillis: 10,
  retryBaseDelayMillis: 1,
  retryMaxDelayMillis: 5,
  logger: { warn: () => undefined },
} as const;

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));
