import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { aggregateCell, bookedRecord, newToken } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlDynamo, freshStore, startControlDynamo } from '../fixtures/dynamo.ts';

let dynamo: ControlDynamo;
beforeAll(async () => {
  dynamo = await startControlDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const meta = { batchId: 'b-1', receivedAt: '2025-03-04T06:00:00.000Z' };

describe('control-plane store: records', () => {
  it('stores each record once and moves the totals only for first-time puts', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const records = [
      bookedRecord({ tenantId: 'clinic-a', department: 'cardiology' }),
      bookedRecord({ tenantId: 'clinic-a', department: 'oncology' }),
      bookedRecord({ tenantId: 'clinic-b', department: 'cardiology', occurredHour: '2025-03-05T01:00Z' }),
    ];
    // Act
    const first = await store.putRecords(records, meta);
    const again = await store.putRecords([records[0]!, records[1]!], { ...meta, batchId: 'b-2' });
    const redelivered = await store.putRecords(records, meta);
    // Assess
    expect(first).toEqual({ stored: 3, duplicates: 0, suppressed: 0 });
    expect(again).toEqual({ stored: 0, duplicates: 2, suppressed: 0 });
    // The same batch again: what it stored is still its own, and the totals do not move twice.
    expect(redelivered).toEqual({ stored: 3, duplicates: 0, suppressed: 0 });
    expect((await store.recordIds()).sort()).toEqual(records.map((r) => r.recordId).sort());
    expect(await store.counts('tenant')).toEqual([
      { key: 'clinic-a', count: 2 },
      { key: 'clinic-b', count: 1 },
    ]);
    expect(await store.counts('day')).toEqual([
      { key: '2025-03-04', count: 2 },
      { key: '2025-03-05', count: 1 },
    ]);
    expect(await store.counts('type')).toEqual([{ key: 'appointment.booked', count: 3 }]);
    expect(await store.counts('dimension', { dimension: 'department' })).toEqual([
      { key: 'cardiology', count: 2 },
      { key: 'oncology', count: 1 },
    ]);
    expect(await store.counts('dimension', { dimension: 'department', tenant: 'clinic-a' })).toEqual([
      { key: 'cardiology', count: 1 },
      { key: 'oncology', count: 1 },
    ]);
  });

  it('counts distinct patients per tenant and day', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const patient = newToken();
    const records = [
      bookedRecord({ tenantId: 'clinic-a', subject: patient }),
      bookedRecord({ tenantId: 'clinic-a', subject: patient }),
      bookedRecord({ tenantId: 'clinic-a' }),
    ];
    // Act
    await store.putRecords(records, meta);
    // Assess
    expect(await store.distinctPatients('clinic-a', '2025-03-04')).toBe(2);
    expect(await store.distinctPatients('clinic-a', '2025-03-05')).toBe(0);
  });
});

describe('control-plane store: erasure', () => {
  it('deletes every row of the erased token, decrements totals, and refuses late records', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const erased = newToken();
    const kept = bookedRecord({ tenantId: 'clinic-e' });
    const gone = [
      bookedRecord({ tenantId: 'clinic-e', subject: erased }),
      bookedRecord({ tenantId: 'clinic-e', subject: erased }),
    ];
    await store.putRecords([kept, ...gone], meta);
    // Act
    const result = await store.erase([erased], { batchId: 'erasure-1' });
    const late = await store.putRecords([bookedRecord({ tenantId: 'clinic-e', subject: erased })], meta);
    // Assess
    expect(result.deletedRecords).toBe(2);
    expect(await store.recordIds()).toEqual([kept.recordId]);
    expect(await store.counts('tenant')).toEqual([{ key: 'clinic-e', count: 1 }]);
    expect(await store.distinctPatients('clinic-e', '2025-03-04')).toBe(1);
    expect(late).toEqual({ stored: 0, duplicates: 0, suppressed: 1 });
    const exported: string[] = [];
    for await (const row of store.exportAll()) exported.push(JSON.stringify(row));
    expect(exported.join('\n')).not.toContain(erased);
  });
});

describe('control-plane store: aggregates', () => {
  it('stores cells once and returns a time series, filtered by tenant and time', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const cells = [
      aggregateCell({ tenantId: 'clinic-a', windowStart: '2025-03-04T05:00:00Z', count: 12 }),
      aggregateCell({ tenantId: 'clinic-b', windowStart: '2025-03-04T05:00:00Z', count: 20 }),
      aggregateCell({ tenantId: 'clinic-a', windowStart: '2025-03-04T06:00:00Z', count: 15 }),
    ];
    // Act
    const first = await store.putAggregates(cells, meta);
    const again = await store.putAggregates(cells, meta);
    // Assess
    expect(first).toEqual({ stored: 3, duplicates: 0, suppressed: 0 });
    expect(again).toEqual({ stored: 0, duplicates: 3, suppressed: 0 });
    expect(await store.aggregateTypes()).toEqual(['appointment.booked']);
    expect((await store.aggregateSeries({ type: 'appointment.booked' })).cells.map((c) => c.count)).toEqual([
      12, 20, 15,
    ]);
    expect(
      (await store.aggregateSeries({ type: 'appointment.booked', tenant: 'clinic-a' })).cells.map(
        (c) => c.count,
      ),
    ).toEqual([12, 15]);
    expect(
      (await store.aggregateSeries({ type: 'appointment.booked', from: '2025-03-04T05:30:00Z' })).cells.map(
        (c) => c.count,
      ),
    ).toEqual([15]);
  });
});

describe('control-plane store: bounded series', () => {
  const hour = (h: number) => new Date(Date.UTC(2025, 2, 4, h)).toISOString();

  it('answers the newest whole windows up to the limit, and says where the older ones start', async () => {
    // Prepare: 6 windows; tenants a and b have a cell in each, c only in the newest three.
    const { store } = await freshStore(dynamo);
    const cells = [0, 1, 2, 3, 4, 5].flatMap((h) => [
      aggregateCell({ tenantId: 'clinic-a', windowStart: hour(h), count: 10 + h }),
      aggregateCell({ tenantId: 'clinic-b', windowStart: hour(h), count: 20 + h }),
      ...(h >= 3 ? [aggregateCell({ tenantId: 'clinic-c', windowStart: hour(h), count: 30 + h })] : []),
    ]);
    await store.putAggregates(cells, meta);
    const series = (query: { limit?: number; to?: string }) =>
      store.aggregateSeries({ type: 'appointment.booked', ...query });
    const windowsOf = (found: { cells: { windowStart: string }[] }) => [
      ...new Set(found.cells.map((c) => c.windowStart)),
    ];
    // Act
    const all = await series({});
    const newest = await series({ limit: 7 });
    const older = await series({ limit: 7, to: newest.nextTo as string });
    const oldest = await series({ limit: 7, to: older.nextTo as string });
    // Assess: 7 cells would split window 3 (a, b, c) after one cell, so only windows 4 and 5 come.
    expect(all).toMatchObject({ truncated: false });
    expect(all.cells).toHaveLength(15);
    expect(windowsOf(newest)).toEqual([hour(4), hour(5)]);
    expect(newest).toMatchObject({ truncated: true, nextTo: hour(4) });
    expect(newest.cells.map((c) => c.count)).toEqual([14, 24, 34, 15, 25, 35]);
    expect(windowsOf(older)).toEqual([hour(1), hour(2), hour(3)]);
    expect(older).toMatchObject({ truncated: true, nextTo: hour(1) });
    expect(oldest).toMatchObject({ truncated: false });
    expect(windowsOf(oldest)).toEqual([hour(0)]);
    // Every cell exactly once over the pages.
    const paged = [...newest.cells, ...older.cells, ...oldest.cells].map((c) => c.cellId).sort();
    expect(paged).toEqual(cells.map((c) => c.cellId).sort());
  });

  it('answers a window with more cells than the limit whole', async () => {
    // Prepare
    const { store } = await freshStore(dynamo);
    const crowded = ['clinic-a', 'clinic-b', 'clinic-c'].flatMap((tenantId) =>
      [1, 2].map(() => aggregateCell({ tenantId, windowStart: hour(9) })),
    );
    await store.putAggregates([...crowded, aggregateCell({ windowStart: hour(8) })], meta);
    // Act
    const found = await store.aggregateSeries({ type: 'appointment.booked', limit: 4 });
    // Assess
    expect(found).toMatchObject({ truncated: true, nextTo: hour(9) });
    expect(found.cells.map((c) => c.cellId).sort()).toEqual(crowded.map((c) => c.cellId).sort());
  });
});

describe('control-plane store: retention', () => {
  const DAY = 86_400;
  /** Every item of a table, raw, by `pk|sk`. */
  async function itemsOf(tableName: string) {
    const doc = DynamoDBDocumentClient.from(dynamo.clients.dynamodb);
    const output = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return new Map((output.Items ?? []).map((item) => [`${item.pk}|${item.sk}`, item]));
  }

  it('stamps records, their rows, cells and batch summaries with expiresAt from their own time (a record from its receipt when later)', async () => {
    // Prepare
    const { store, tables } = await freshStore(dynamo, { retentionDays: 30 });
    const erased = newToken();
    const record = bookedRecord({ occurredHour: '2025-03-04T05:00Z' });
    const cell = aggregateCell({ windowStart: '2025-03-04T06:00:00Z' });
    const claim = await store.claimBatch('b-retained', { nowMillis: 0, leaseMillis: 60_000 });
    const abandoned = await store.claimBatch('b-abandoned', { nowMillis: 0, leaseMillis: 60_000 });
    // Act
    await store.putRecords([record, bookedRecord({ subject: erased })], meta);
    await store.erase([erased], { batchId: 'erasure-1' });
    await store.putAggregates([cell], meta);
    if (claim.state === 'claimed')
      await store.completeBatch(
        {
          batchId: 'b-retained',
          kind: 'records',
          count: 1,
          keyId: 'k',
          sentAt: meta.receivedAt,
          receivedAt: meta.receivedAt,
          sha256: '0',
          itemsSha256: '0',
          stored: 1,
          duplicates: 0,
        },
        claim.claim,
      );
    // Assess
    const hour = Date.parse('2025-03-04T05:00:00Z') / 1000;
    const dayEnd = Date.parse('2025-03-05T00:00:00Z') / 1000;
    const received = Date.parse(meta.receivedAt) / 1000;
    const records = await itemsOf(tables.records);
    // Received an hour after its event hour: stamped from its receipt, the later of the two.
    expect(received).toBeGreaterThan(hour);
    expect(records.get(`REC#${record.recordId}|REC`)?.expiresAt).toBe(received + 30 * DAY);
    expect(records.get(`TOKEN#${record.subject}|REC#${record.recordId}`)?.expiresAt).toBe(
      received + 30 * DAY,
    );
    expect(records.get(`DISTINCT#${record.tenantId}#2025-03-04|${record.subject}`)?.expiresAt).toBe(
      dayEnd + 30 * DAY,
    );
    // An erasure's tombstone stays for good: a late record of the token must still be refused.
    expect(records.get(`ERASED#${erased}|ERASED`)).toBeDefined();
    expect(records.get(`ERASED#${erased}|ERASED`)?.expiresAt).toBeUndefined();
    const cells = await itemsOf(tables.aggregates);
    expect(
      cells.get(`SERIES#${cell.tenantId}#${cell.type}|${cell.windowStart}#${cell.cellId}`)?.expiresAt,
    ).toBe(Date.parse(cell.windowStart) / 1000 + 30 * DAY);
    expect(cells.get(`TYPES|${cell.type}`)?.expiresAt).toBeUndefined();
    const batches = await itemsOf(tables.batches);
    expect(batches.get('BATCH#b-retained|BATCH')?.expiresAt).toBe(
      Date.parse(meta.receivedAt) / 1000 + 30 * DAY,
    );
    // A claim whose delivery never completed expires from when it was claimed.
    expect(abandoned.state).toBe('claimed');
    expect(batches.get('BATCH#b-abandoned|BATCH')?.expiresAt).toBe(30 * DAY);
    const counters = [...(await itemsOf(tables.counters)).values()];
    expect(counters.length).toBeGreaterThan(0);
    for (const counter of counters) expect(counter.expiresAt).toBeUndefined();
  });

  it('keeps the dedupe item of a record older than the retention for the retention after its receipt', async () => {
    // Prepare: a backfill, or a queued producer, delivers an event 40 days after its hour
    const { store, tables } = await freshStore(dynamo, { retentionDays: 30 });
    const record = bookedRecord({ occurredHour: '2025-01-23T05:00Z' });
    // Act
    const first = await store.putRecords([record], meta);
    const records = await itemsOf(tables.records);
    const again = await store.putRecords([record], {
      batchId: 'b-2',
      receivedAt: '2025-03-05T06:00:00.000Z',
    });
    // Assess: stamped from its event hour it would expire before it was stored, TTL would delete
    // the item that dedupes it, and the redelivery would be counted twice
    const received = Date.parse(meta.receivedAt) / 1000;
    expect(Date.parse('2025-01-23T05:00:00Z') / 1000 + 30 * DAY).toBeLessThan(received);
    expect(records.get(`REC#${record.recordId}|REC`)?.expiresAt).toBe(received + 30 * DAY);
    expect(records.get(`TOKEN#${record.subject}|REC#${record.recordId}`)?.expiresAt).toBe(
      received + 30 * DAY,
    );
    expect(first).toMatchObject({ stored: 1, duplicates: 0 });
    expect(again).toMatchObject({ stored: 0, duplicates: 1 });
    // The redelivery's token row may outlive the record (harmless), never the other way round
    const after = await itemsOf(tables.records);
    expect(after.get(`REC#${record.recordId}|REC`)?.expiresAt).toBe(received + 30 * DAY);
    expect(after.get(`TOKEN#${record.subject}|REC#${record.recordId}`)?.expiresAt).toBeGreaterThanOrEqual(
      received + 30 * DAY,
    );
  });

  it('stamps nothing without a retention', async () => {
    // Prepare
    const { store, tables } = await freshStore(dynamo);
    // Act
    await store.putRecords([bookedRecord()], meta);
    await store.putAggregates([aggregateCell()], meta);
    // Assess
    for (const table of [tables.records, tables.aggregates, tables.counters])
      for (const item of (await itemsOf(table)).values()) expect(item.expiresAt).toBeUndefined();
  });
});
