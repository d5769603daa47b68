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
  putRecords,
  recordingHandler,
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

async function runToIdle(
  count: number,
  respond: Parameters<typeof recordingHandler>[0],
  options: Partial<EventSourceMappingOptions> = {},
) {
  const streamName = await createStream(fixture.kinesis);
  const put = await putRecords(fixture.kinesis, streamName, ids(count));
  const { deliveries, handler } = recordingHandler(respond);
  const mapping = createEventSourceMapping({
    kinesis: fixture.kinesis,
    streamName,
    handler,
    startingPosition: 'TRIM_HORIZON',
    functionResponseTypes: ['ReportBatchItemFailures'],
    batchSize: 10,
    ...FAST,
    ...options,
  });
  running.push(mapping);
  await mapping.start();
  await mapping.drain({ timeoutMillis: 10_000 });
  return { put, deliveries, mapping };
}

describe('event source mapping: ReportBatchItemFailures', () => {
  it('retries from the lowest failed sequence number and checkpoints the records before it', async () => {
    // Prepare / Act: the first call reports r6 and r3 as failed (in that order)
    const { put, deliveries, mapping } = await runToIdle(10, (delivery, call) =>
      call === 0
        ? {
            batchItemFailures: [
              { itemIdentifier: delivery.sequenceNumbers[6] },
              { itemIdentifier: delivery.sequenceNumbers[3] },
            ],
          }
        : undefined,
    );
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ids(10).map((item) => item.id),
      ['r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'],
    ]);
    expect(mapping.stats().shards[0]?.checkpoint).toBe(put[9]?.sequenceNumber);
    expect(mapping.stats().partialFailures).toBe(1);
  });

  it.each([
    ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['a null itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
    ['a missing itemIdentifier (bad key name)', () => ({ batchItemFailures: [{ itemId: '1' }] })],
    [
      'an itemIdentifier that is not in the batch',
      () => ({ batchItemFailures: [{ itemIdentifier: '12345' }] }),
    ],
  ])('fails the whole batch on a malformed entry: %s', async (_name, malformed) => {
    // Prepare / Act
    const { deliveries, mapping } = await runToIdle(5, (_delivery, call) =>
      call === 0 ? malformed() : undefined,
    );
    // Assess
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4'],
      ['r0', 'r1', 'r2', 'r3', 'r4'],
    ]);
    expect(mapping.stats().malformedResponses).toBe(1);
  });

  it.each([
    ['a string', () => 'batchItemFailures'],
    ['a number', () => 42],
    ['an array', () => [{ itemIdentifier: '1' }]],
    ['batchItemFailures that is not a list', () => ({ batchItemFailures: 'r0' })],
    ['an empty object', () => ({})],
    ['an empty list', () => ({ batchItemFailures: [] })],
    ['null batchItemFailures', () => ({ batchItemFailures: null })],
  ])('counts a response that is %s as complete success (as AWS does)', async (_name, response) => {
    // Prepare / Act
    const { put, deliveries, mapping } = await runToIdle(3, () => response());
    // Assess
    expect(deliveries).toHaveLength(1);
    expect(mapping.stats().shards[0]?.checkpoint).toBe(put[2]?.sequenceNumber);
  });

  it('ignores reported failures when ReportBatchItemFailures is not enabled', async () => {
    // Prepare / Act
    const { deliveries } = await runToIdle(
      4,
      (delivery) => ({ batchItemFailures: [{ itemIdentifier: delivery.sequenceNumbers[0] }] }),
      { functionResponseTypes: [] },
    );
    // Assess
    expect(deliveries).toHaveLength(1);
  });

  it('counts a partial batch retry against maximumRetryAttempts', async () => {
    // Prepare / Act: r2 always fails
    const { deliveries, mapping } = await runToIdle(
      4,
      (delivery) => {
        const index = delivery.ids.indexOf('r2');
        return index === -1
          ? undefined
          : { batchItemFailures: [{ itemIdentifier: delivery.sequenceNumbers[index] }] };
      },
      { maximumRetryAttempts: 1 },
    );
    // Assess: the first call, one retry of [r2, r3], then [r2, r3] is discarded
    expect(deliveries.map((delivery) => delivery.ids)).toEqual([
      ['r0', 'r1', 'r2', 'r3'],
      ['r2', 'r3'],
    ]);
    expect(mapping.stats().recordsDiscarded).toBe(2);
  });
});
