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
    expect((await store.aggregateSeries({ type: 'appointment.booked' })).map((c) => c.count)).toEqual([
      12, 20, 15,
    ]);
    expect(
      (await store.aggregateSeries({ type: 'appointment.booked', tenant: 'clinic-a' })).map((c) => c.count),
    ).toEqual([12, 15]);
    expect(
      (await store.aggregateSeries({ type: 'appointment.booked', from: '2025-03-04T05:30:00Z' })).map(
        (c) => c.count,
      ),
    ).toEqual([15]);
  });
});
