import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateCell, bookedRecord } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportToJsonl, readControlPlaneDescriptor } from '../../src/index.ts';
import { type ControlDynamo, freshStore, startControlDynamo } from '../fixtures/dynamo.ts';

let dynamo: ControlDynamo;
let dir: string;
beforeAll(async () => {
  dynamo = await startControlDynamo();
  dir = await mkdtemp(join(tmpdir(), 'cp-export-'));
});
afterAll(async () => {
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

describe('export', () => {
  it('rejects with the file system error when the file cannot be opened, instead of crashing the process', async () => {
    const { store } = await freshStore(dynamo);
    await store.putRecords([bookedRecord()], { batchId: 'b', receivedAt: new Date().toISOString() });
    await expect(exportToJsonl(store, join(dir, 'no-such-folder', 'export.jsonl'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(exportToJsonl(store, dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('writes every record and aggregate, one JSON object per line', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const records = [bookedRecord(), bookedRecord(), bookedRecord()];
    const cells = [aggregateCell()];
    await store.putRecords(records, { batchId: 'b', receivedAt: new Date().toISOString() });
    await store.putAggregates(cells, { batchId: 'c', receivedAt: new Date().toISOString() });
    const out = join(dir, 'export.jsonl');
    // Act
    const summary = await exportToJsonl(store, out);
    // Assess
    const lines = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(summary).toEqual({ records: 3, aggregates: 1 });
    expect(lines.filter((l) => l.kind === 'record').map((l) => l.record)).toEqual(
      expect.arrayContaining(records.map((r) => expect.objectContaining(r))),
    );
    expect(lines.filter((l) => l.kind === 'aggregate').map((l) => l.aggregate)).toEqual(cells);
  });

  it('finds the control plane through endpoints.json extra.controlPlane, or says it is not there', () => {
    // Prepare
    const file = {
      region: 'ap-south-1',
      accountId: '000000000000',
      endpoints: {
        kinesis: 'http://127.0.0.1:1',
        dynamodb: 'http://127.0.0.1:2',
        kms: 'http://127.0.0.1:3',
        controlPlane: 'http://127.0.0.1:4',
      },
      keyArn: 'arn:aws:kms:ap-south-1:000000000000:key/x',
      streams: {},
      tables: {},
      extra: {
        controlPlane: {
          region: 'eu-central-1',
          dynamodb: 'http://127.0.0.1:5',
          tables: { records: 'r-t', aggregates: 'a-t', counters: 'c-t', batches: 'b-t', alerts: 'l-t' },
        },
      },
    };
    // Act
    const descriptor = readControlPlaneDescriptor(file);
    // Assess
    expect(descriptor).toMatchObject({
      url: 'http://127.0.0.1:4',
      region: 'eu-central-1',
      dynamodb: 'http://127.0.0.1:5',
    });
    expect(() => readControlPlaneDescriptor({ ...file, extra: {} })).toThrow(/extra.controlPlane/);
  });
});
