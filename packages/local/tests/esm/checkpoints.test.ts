import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMapping,
  createFileCheckpointStore,
  createMemoryCheckpointStore,
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
  sleep,
  startKinesisFixture,
} from './kinesis-fixture.ts';

let fixture: KinesisFixture;
let dataDir: string;
const running: EventSourceMapping[] = [];

beforeAll(async () => {
  fixture = await startKinesisFixture();
  dataDir = await mkdtemp(join(tmpdir(), 'esm-checkpoints-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});
afterAll(async () => {
  await fixture.close();
  await rm(dataDir, { recursive: true, force: true });
});

function mapping(options: Omit<EventSourceMappingOptions, 'kinesis' | 'startingPosition'>) {
  const created = createEventSourceMapping({
    kinesis: fixture.kinesis,
    startingPosition: 'TRIM_HORIZON',
    ...FAST,
    ...options,
  });
  running.push(created);
  return created;
}

describe('event source mapping: checkpoints', () => {
  it('resumes after stop and start where it stopped, with a file checkpoint store', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const directory = join(dataDir, streamName);
    await putRecords(fixture.kinesis, streamName, ids(5, 'first'));
    const firstRun = recordingHandler();
    const first = mapping({
      streamName,
      handler: firstRun.handler,
      checkpointStore: createFileCheckpointStore({ directory }),
    });
    await first.start();
    await first.drain({ timeoutMillis: 10_000 });
    await first.stop();
    await putRecords(fixture.kinesis, streamName, ids(3, 'second'));
    // Act: a new store instance reads the files the first run wrote
    const secondRun = recordingHandler();
    const second = mapping({
      streamName,
      handler: secondRun.handler,
      checkpointStore: createFileCheckpointStore({ directory }),
    });
    await second.start();
    await second.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(firstRun.deliveries.flatMap((delivery) => delivery.ids)).toEqual(
      ids(5, 'first').map((item) => item.id),
    );
    expect(secondRun.deliveries.flatMap((delivery) => delivery.ids)).toEqual([
      'second0',
      'second1',
      'second2',
    ]);
  });

  it('keeps the checkpoint of each mapping apart when two mappings read one stream', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const checkpointStore = createMemoryCheckpointStore();
    await putRecords(fixture.kinesis, streamName, ids(2));
    const ingest = recordingHandler();
    const audit = recordingHandler();
    // Act
    const one = mapping({ streamName, handler: ingest.handler, functionName: 'ingest', checkpointStore });
    const two = mapping({ streamName, handler: audit.handler, functionName: 'audit', checkpointStore });
    await Promise.all([one.start(), two.start()]);
    await Promise.all([one.drain({ timeoutMillis: 10_000 }), two.drain({ timeoutMillis: 10_000 })]);
    // Assess
    expect(ingest.deliveries.flatMap((delivery) => delivery.ids)).toEqual(['r0', 'r1']);
    expect(audit.deliveries.flatMap((delivery) => delivery.ids)).toEqual(['r0', 'r1']);
    expect(Object.keys(checkpointStore.snapshot()).sort()).toEqual([
      `audit/${streamName}`,
      `ingest/${streamName}`,
    ]);
  });

  it('lets a running invocation finish on stop and checkpoints it', async () => {
    // Prepare
    const streamName = await createStream(fixture.kinesis);
    const checkpointStore = createMemoryCheckpointStore();
    const [put] = await putRecords(fixture.kinesis, streamName, ids(1));
    let finished = false;
    const { deliveries, handler } = recordingHandler(async () => {
      await sleep(150);
      finished = true;
    });
    const running = mapping({ streamName, handler, checkpointStore });
    await running.start();
    while (deliveries.length === 0) await sleep(5);
    // Act
    await running.stop();
    // Assess
    expect(finished).toBe(true);
    expect(await checkpointStore.get(`local-function/${streamName}`, put?.shardId ?? '')).toEqual({
      sequenceNumber: put?.sequenceNumber,
    });
  });

  it('finishes a closed parent shard before reading its children after a split', async () => {
    // Prepare: records before the split land in the parent, records after in a child
    const streamName = await createStream(fixture.kinesis);
    await putRecords(fixture.kinesis, streamName, [{ id: 'before', key: 'same-key' }]);
    await fixture.kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    for (;;) {
      const listed = await fixture.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      if ((listed.Shards ?? []).length === 3) break;
      await sleep(5);
    }
    await sleep(20);
    await putRecords(fixture.kinesis, streamName, [{ id: 'after', key: 'same-key' }]);
    // The parent's batch is slow: a child read concurrently would be delivered first.
    const { deliveries, handler } = recordingHandler(async (delivery) => {
      if (delivery.ids.includes('before')) await sleep(100);
    });
    // Act
    const reader = mapping({ streamName, handler });
    await reader.start();
    await reader.drain({ timeoutMillis: 10_000 });
    // Assess
    expect(deliveries.flatMap((delivery) => delivery.ids)).toEqual(['before', 'after']);
    expect(reader.stats().shards.find((shard) => shard.shardId === 'shardId-000000000000')?.ended).toBe(true);
  });
});
