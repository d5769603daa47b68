import type { KinesisStreamHandler } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../../src/index.ts';
import {
  createStream,
  FAST,
  ids,
  type KinesisFixture,
  putRecord,
  putRecords,
  REGION,
  recordingHandler,
  sleep,
  startKinesisFixture,
} from './kinesis-fixture.ts';

let fixture: KinesisFixture;
const running: EventSourceMapping[] = [];

beforeAll(async () => {
  fixture = await startKinesisFixture();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});
afterAll(async () => {
  await fixture.close();
});

async function startMapping(options: Omit<EventSourceMappingOptions, 'kinesis'>) {
  const mapping = createEventSourceMapping({ kinesis: fixture.kinesis, ...FAST, ...options });
  running.push(mapping);
  await mapping.start();
  return mapping;
}

describe('event source mapping: delivery', () => {
  it('delivers the records of each shard once each, in sequence order', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis, 2);
    const put = await putRecords(fixture.kinesis, streamName, ids(60));
    const { deliveries, handler } = recordingHandler();
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 7,
    });
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    for (const shardId of new Set(put.map((record) => record.shardId))) {
      const expected = put.filter((record) => record.shardId === shardId).map((record) => record.id);
      const delivered = deliveries
        .filter((delivery) => delivery.shardIds[0] === shardId)
        .flatMap((d) => d.ids);
      expect(delivered).toEqual(expected);
    }
    expect(deliveries.every((delivery) => new Set(delivery.shardIds).size === 1)).toBe(true);
  });

  it('builds the event exactly as Lambda does for Kinesis', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const before = Date.now();
    const [put] = await putRecords(fixture.kinesis, streamName, [{ id: 'shape', key: 'pk-1' }]);
    const { deliveries, handler } = recordingHandler();
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      functionName: 'ingest',
    });
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    const record = deliveries[0]?.event.Records[0];
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk-1',
        sequenceNumber: put?.sequenceNumber,
        data: Buffer.from(JSON.stringify({ id: 'shape' })).toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${put?.shardId}:${put?.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/ingest-role$/),
      awsRegion: REGION,
      eventSourceARN: expect.stringMatching(
        new RegExp(`^arn:aws:kinesis:${REGION}:\\d{12}:stream/${streamName}$`),
      ),
    });
    const seconds = record?.kinesis.approximateArrivalTimestamp ?? 0;
    expect(seconds * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(seconds).toBeLessThan(Date.now() / 1000 + 1);
  });

  it('passes a Lambda context with a request id, the function name and the remaining time', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    await putRecords(fixture.kinesis, streamName, ids(1));
    let remaining = -1;
    const { deliveries, handler } = recordingHandler((delivery) => {
      remaining = delivery.context.getRemainingTimeInMillis();
    });
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      functionName: 'ingest',
      functionTimeoutMillis: 30_000,
    });
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    const context = deliveries[0]?.context;
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context?.functionName).toBe('ingest');
    expect(context?.functionVersion).toBe('$LATEST');
    expect(context?.invokedFunctionArn).toMatch(
      new RegExp(`^arn:aws:lambda:${REGION}:\\d{12}:function:ingest$`),
    );
    expect(remaining).toBeGreaterThan(29_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
  });

  it('never puts more than batchSize records in one invocation', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    await putRecords(fixture.kinesis, streamName, ids(25));
    const { deliveries, handler } = recordingHandler();
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
    });
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids.length)).toEqual([10, 10, 5]);
  });

  it('waits up to the batching window to fill a batch', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const { deliveries, handler } = recordingHandler();
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      maximumBatchingWindowMillis: 600,
    });
    // Act
    for (const item of ids(3)) {
      await putRecord(fixture.kinesis, streamName, item);
      await sleep(60);
    }
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([['r0', 'r1', 'r2']]);
  });

  it('invokes as soon as records arrive when there is no batching window', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const { deliveries, handler } = recordingHandler();
    const mapping = await startMapping({ streamName, handler, startingPosition: 'TRIM_HORIZON' });
    // Act
    for (const item of ids(3)) {
      await putRecord(fixture.kinesis, streamName, item);
      await sleep(80);
    }
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([['r0'], ['r1'], ['r2']]);
  });

  it('keeps every batch within the 6 MB invocation payload limit', async () => {
    // Prepare: 8 records of ~700 KB (about 930 KB each once base64 in the event)
    const streamName = await createStream(fixture.kinesis);
    const padding = 'x'.repeat(700 * 1024);
    for (const item of ids(8)) await putRecord(fixture.kinesis, streamName, { ...item, padding });
    const { deliveries, handler } = recordingHandler();
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
    });
    await mapping.drain({ timeoutMillis: 20_000 });
    // Assess
    const sizes = deliveries.map((delivery) => Buffer.byteLength(JSON.stringify(delivery.event)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(deliveries.length).toBeGreaterThan(1);
    expect(deliveries.flatMap((delivery) => delivery.ids)).toEqual(ids(8).map((item) => item.id));
  });

  it('runs batches of one shard concurrently with a parallelization factor, keeping each key in order', async () => {
    // Prepare: one shard, 8 partition keys, 10 records each, interleaved
    const streamName = await createStream(fixture.kinesis);
    const items = Array.from({ length: 80 }, (_, index) => ({
      id: `k${index % 8}-${Math.floor(index / 8)}`,
      key: `k${index % 8}`,
    }));
    await putRecords(fixture.kinesis, streamName, items);
    let active = 0;
    let maxActive = 0;
    const { deliveries, handler } = recordingHandler(async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(15);
      active -= 1;
    });
    // Act
    const mapping = await startMapping({
      streamName,
      handler,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 3,
      parallelizationFactor: 4,
    });
    await mapping.drain({ timeoutMillis: 20_000 });
    // Assess
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(4);
    const delivered = deliveries.flatMap((delivery) => delivery.ids);
    expect([...delivered].sort()).toEqual(items.map((item) => item.id).sort());
    for (let key = 0; key < 8; key += 1) {
      const ofKey = delivered.filter((id) => id.startsWith(`k${key}-`));
      expect(ofKey).toEqual(Array.from({ length: 10 }, (_, index) => `k${key}-${index}`));
    }
  });

  it('starts at the tip with LATEST, skipping records written before start', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    await putRecords(fixture.kinesis, streamName, ids(3, 'old'));
    const { deliveries, handler } = recordingHandler();
    const mapping = await startMapping({ streamName, handler, startingPosition: 'LATEST' });
    // Act
    await putRecords(fixture.kinesis, streamName, ids(2, 'new'));
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.flatMap((delivery) => delivery.ids)).toEqual(['new0', 'new1']);
  });

  it('accepts a callback-style KinesisStreamHandler and finishes when it calls back', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    await putRecords(fixture.kinesis, streamName, ids(2));
    const seen: number[] = [];
    const handler: KinesisStreamHandler = (event, _context, callback) => {
      seen.push(event.Records.length);
      setTimeout(() => callback(null, { batchItemFailures: [] }), 10);
    };
    // Act
    const mapping = await startMapping({ streamName, handler, startingPosition: 'TRIM_HORIZON' });
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(seen).toEqual([2]);
    expect(mapping.stats().functionErrors).toBe(0);
  });
});
