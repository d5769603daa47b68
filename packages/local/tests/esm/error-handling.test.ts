import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMapping,
  createMemoryFailureDestination,
  DrainTimeoutError,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type OnFailureRecord,
} from '../../src/index.ts';
import {
  createStream,
  FAST,
  ids,
  type KinesisFixture,
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

async function setUp(
  count: number,
  respond: Parameters<typeof recordingHandler>[0],
  options: Partial<EventSourceMappingOptions> = {},
) {
  const streamName = await createStream(fixture.kinesis);
  const put = await putRecords(fixture.kinesis, streamName, ids(count));
  const { deliveries, handler } = recordingHandler(respond);
  const onFailure = createMemoryFailureDestination();
  const mapping = createEventSourceMapping({
    kinesis: fixture.kinesis,
    streamName,
    handler,
    startingPosition: 'TRIM_HORIZON',
    onFailure,
    ...FAST,
    ...options,
  });
  running.push(mapping);
  return { streamName, put, deliveries, onFailure, mapping };
}

const fail = () => {
  throw new Error('handler failed');
};

describe('event source mapping: error handling', () => {
  it('retries the whole batch after the handler throws', async () => {
    // Prepare
    const { deliveries, mapping } = await setUp(3, (_delivery, call) => (call < 2 ? fail() : undefined));
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
    ]);
    expect(mapping.stats().functionErrors).toBe(2);
  });

  it('retries after a rejected promise as after a throw', async () => {
    // Prepare
    const { deliveries, mapping } = await setUp(2, (_delivery, call) =>
      call === 0 ? Promise.reject(new Error('rejected')) : undefined,
    );
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1'],
      ['r0', 'r1'],
    ]);
  });

  it('splits a failing batch in two with bisectBatchOnFunctionError, isolating the bad record', async () => {
    // Prepare: r2 breaks every batch it is in
    const { deliveries, onFailure, mapping, put } = await setUp(
      4,
      (delivery) => (delivery.ids.includes('r2') ? fail() : undefined),
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 },
    );
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess: splitting does not spend retries; the single record gets 1 retry, then is discarded
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1', 'r2', 'r3'],
      ['r0', 'r1'],
      ['r2', 'r3'],
      ['r2'],
      ['r2'],
      ['r3'],
    ]);
    expect(onFailure.records).toHaveLength(1);
    expect(onFailure.records[0]?.KinesisBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: put[2]?.sequenceNumber,
      endSequenceNumber: put[2]?.sequenceNumber,
    });
  });

  it('sends only metadata to the on-failure destination when retries are exhausted, then moves on', async () => {
    // Prepare
    const { streamName, put, deliveries, onFailure, mapping } = await setUp(
      3,
      (delivery) => (delivery.ids.includes('later') ? undefined : fail()),
      { maximumRetryAttempts: 2, functionName: 'ingest' },
    );
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    await putRecords(fixture.kinesis, streamName, [{ id: 'later' }]);
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
      ['later'],
    ]);
    expect(onFailure.records).toEqual([
      {
        requestContext: {
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          functionArn: expect.stringMatching(
            new RegExp(`^arn:aws:lambda:${REGION}:\\d{12}:function:ingest$`),
          ),
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        KinesisBatchInfo: {
          shardId: put[0]?.shardId,
          startSequenceNumber: put[0]?.sequenceNumber,
          endSequenceNumber: put[2]?.sequenceNumber,
          approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          batchSize: 3,
          streamArn: expect.stringMatching(new RegExp(`:stream/${streamName}$`)),
        },
      },
    ]);
  });

  it('never puts record data or partition keys in the on-failure record', async () => {
    // Prepare
    const { deliveries, onFailure, mapping } = await setUp(2, fail, { maximumRetryAttempts: 0 });
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    const written = JSON.stringify(onFailure.records);
    const sent = deliveries[0]?.event.Records ?? [];
    expect(sent).toHaveLength(2);
    for (const record of sent) {
      expect(written).not.toContain(record.kinesis.data);
      expect(written).not.toContain(`"${record.kinesis.partitionKey}"`);
    }
    expect(written).not.toContain('"Records"');
  });

  it('discards records older than maximumRecordAgeSeconds without invoking the function', async () => {
    // Prepare: the clock runs two minutes ahead, so every record is 120 s old
    const { deliveries, onFailure, mapping } = await setUp(3, () => undefined, {
      maximumRecordAgeSeconds: 60,
      clock: () => Date.now() + 120_000,
    });
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries).toHaveLength(0);
    expect(onFailure.records).toHaveLength(1);
    expect(onFailure.records[0]?.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(onFailure.records[0]?.responseContext).toBeUndefined();
    expect(onFailure.records[0]?.KinesisBatchInfo.batchSize).toBe(3);
  });

  it('counts an invocation that runs past functionTimeoutMillis as failed and retries it', async () => {
    // Prepare
    const { deliveries, mapping } = await setUp(
      1,
      async (_delivery, call) => {
        if (call === 0) await sleep(300);
      },
      { functionTimeoutMillis: 50 },
    );
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([['r0'], ['r0']]);
    expect(mapping.stats().timeouts).toBe(1);
  });

  it('keeps retrying an on-failure destination that fails, and skips the records only once it succeeds', async () => {
    // Prepare: a destination that fails twice
    const sent: OnFailureRecord[] = [];
    let attempts = 0;
    const flaky = {
      async send(record: OnFailureRecord) {
        attempts += 1;
        if (attempts <= 2) throw new Error('destination unavailable');
        sent.push(record);
      },
    };
    const { mapping } = await setUp(2, fail, { maximumRetryAttempts: 0, onFailure: flaky });
    // Act
    await mapping.start();
    await mapping.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(attempts).toBe(3);
    expect(sent).toHaveLength(1);
    expect(mapping.stats().recordsDiscarded).toBe(2);
  });

  it('rejects drain() with DrainTimeoutError while a batch fails forever (the AWS default)', async () => {
    // Prepare
    const { mapping } = await setUp(1, fail);
    await mapping.start();
    // Act
    const drained = mapping.drain({ timeoutMillis: 200 });
    // Assess
    await expect(drained).rejects.toBeInstanceOf(DrainTimeoutError);
    expect(mapping.stats().retries).toBeGreaterThan(1);
  });
});
