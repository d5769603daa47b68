import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointStoreError,
  createFileCheckpointStore,
  createFileFailureDestination,
  type OnFailureRecord,
} from '../../../src/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esm-stores-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record: OnFailureRecord = {
  requestContext: {
    requestId: 'r',
    functionArn: 'arn:aws:lambda:ap-south-1:000000000000:function:f',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 1,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2025-01-01T00:00:00.000Z',
  KinesisBatchInfo: {
    shardId: 'shardId-000000000000',
    startSequenceNumber: '1',
    endSequenceNumber: '2',
    approximateArrivalOfFirstRecord: '2025-01-01T00:00:00.000Z',
    approximateArrivalOfLastRecord: '2025-01-01T00:00:00.000Z',
    batchSize: 2,
    streamArn: 'arn:aws:kinesis:ap-south-1:000000000000:stream/events',
  },
};

describe('createFileFailureDestination', () => {
  it('appends each on-failure record as one JSON line', async () => {
    // Prepare
    const path = join(dir, 'on-failure', 'a.jsonl');
    const destination = createFileFailureDestination({ path });
    // Act
    await Promise.all([destination.send(record), destination.send(record)]);
    // Assess
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([record, record]);
  });

  it('refuses a record that carries anything but metadata (Precondition: metadata only)', async () => {
    // Prepare
    const path = join(dir, 'on-failure', 'b.jsonl');
    const destination = createFileFailureDestination({ path });
    const withPayload = { ...record, Records: [{ data: 'c2VjcmV0' }] } as unknown as OnFailureRecord;
    // Act / Assess
    await expect(destination.send(withPayload)).rejects.toThrow();
    await expect(readFile(path, 'utf8')).rejects.toThrow();
  });
});

describe('createFileCheckpointStore', () => {
  it('reads back what another instance wrote', async () => {
    // Prepare
    const directory = join(dir, 'checkpoints-a');
    await createFileCheckpointStore({ directory }).put('ingest/events', 'shardId-000000000001', {
      sequenceNumber: '42',
    });
    // Act
    const checkpoint = await createFileCheckpointStore({ directory }).get(
      'ingest/events',
      'shardId-000000000001',
    );
    // Assess
    expect(checkpoint).toEqual({ sequenceNumber: '42' });
  });

  it('keeps the last of many concurrent writes', async () => {
    // Prepare
    const directory = join(dir, 'checkpoints-b');
    const store = createFileCheckpointStore({ directory });
    // Act
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.put('m', 's', { sequenceNumber: String(index) })),
    );
    // Assess
    expect(await createFileCheckpointStore({ directory }).get('m', 's')).toEqual({ sequenceNumber: '49' });
  });

  it('fails loudly on a corrupt checkpoint file instead of starting over', async () => {
    // Prepare
    const directory = join(dir, 'checkpoints-c');
    await createFileCheckpointStore({ directory }).put('m', 's', { sequenceNumber: '1' });
    await writeFile(join(directory, 'm.json'), '{ not json');
    // Act / Assess
    await expect(createFileCheckpointStore({ directory }).get('m', 's')).rejects.toThrow(
      CheckpointStoreError,
    );
  });
});
