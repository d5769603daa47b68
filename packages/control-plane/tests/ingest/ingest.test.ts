import { createBatchVerifier, SIGNED_BATCH_HEADERS } from '@residency/border';
import { aggregateCell, bookedRecord, newToken } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../src/index.ts';
import { type ControlDynamo, freshStore, startControlDynamo } from '../fixtures/dynamo.ts';
import { testSigner } from '../fixtures/signing.ts';

let dynamo: ControlDynamo;
beforeAll(async () => {
  dynamo = await startControlDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const today = () => new Date().toISOString().slice(0, 10);

async function setup(options: { alertOnText?: (text: string) => string | undefined } = {}) {
  const { store } = await freshStore(dynamo);
  const forwarder = testSigner();
  const controlPlane = createControlPlane({
    store,
    verifier: createBatchVerifier({ keys: forwarder.publicKeys }),
    ...options,
  });
  return { store, forwarder, controlPlane };
}

describe('control-plane ingest', () => {
  it('stores a verified batch of records and acknowledges it', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const records = [bookedRecord(), bookedRecord()];
    const request = forwarder.sign('records', records);
    // Act
    const result = await controlPlane.ingest(request);
    // Assess
    expect(result).toEqual({
      status: 200,
      response: { ok: true, batchId: request.batchId, stored: 2, duplicates: 0, duplicateBatch: false },
    });
    expect((await store.recordIds()).sort()).toEqual(records.map((r) => r.recordId).sort());
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await store.storedRecordIds([unknown, ...records.map((r) => r.recordId)])).toEqual(
      new Set(records.map((r) => r.recordId)),
    );
    expect(await store.getBatch(request.batchId)).toMatchObject({
      count: 2,
      stored: 2,
      keyId: forwarder.pair.keyId,
    });
  });

  it('keeps the first record of a reused id, raises an alert for other content, and none for a copy', async () => {
    // Prepare: a record, its exact copy in another batch, and another event under its id
    const { store, forwarder, controlPlane } = await setup();
    const first = bookedRecord({ department: 'cardiology' });
    const copy = { ...first };
    const reused = { ...first, attributes: { ...first.attributes, department: 'oncology' } };
    // Act
    await controlPlane.ingest(forwarder.sign('records', [first]));
    const again = await controlPlane.ingest(forwarder.sign('records', [copy, bookedRecord()]));
    const alertsAfterCopy = await store.listAlerts(today());
    const conflicting = forwarder.sign('records', [reused, bookedRecord()]);
    const result = await controlPlane.ingest(conflicting);
    // Assess
    expect(again.response).toMatchObject({ stored: 1, duplicates: 1, duplicateBatch: false });
    expect(alertsAfterCopy).toEqual([]);
    expect(result.response).toMatchObject({ ok: true, stored: 1, duplicates: 1 });
    expect(await store.listAlerts(today())).toEqual([
      expect.objectContaining({ reason: 'conflict', batchId: conflicting.batchId, count: 1 }),
    ]);
    const kept = [];
    for await (const row of store.exportAll())
      if (row.kind === 'record' && row.record.recordId === first.recordId) kept.push(row.record);
    expect(kept).toEqual([first]);
  });

  it('rejects a forged signature with an alert and stores nothing', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const forger = testSigner();
    const forged = forger.sign('records', [bookedRecord()]);
    forged.headers[SIGNED_BATCH_HEADERS.keyId] = forwarder.pair.keyId; // claims the real key id
    // Act
    const result = await controlPlane.ingest(forged);
    // Assess
    expect(result.status).toBe(401);
    expect(result.response).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await store.recordIds()).toEqual([]);
    expect(await store.listAlerts(today())).toEqual([expect.objectContaining({ reason: 'bad-signature' })]);
  });

  it('rejects a body altered after signing', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const request = forwarder.sign('records', [bookedRecord({ department: 'cardiology' })]);
    const tampered = Buffer.from(request.body.toString('utf8').replace('cardiology', 'neurology_'));
    // Act
    const result = await controlPlane.ingest({ headers: request.headers, body: tampered });
    // Assess
    expect(result.response).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await store.recordIds()).toEqual([]);
  });

  it('acknowledges a replayed batch inside the window as a duplicate and stores nothing new', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const request = forwarder.sign('records', [bookedRecord(), bookedRecord()]);
    await controlPlane.ingest(request);
    const before = await store.counts('tenant');
    // Act
    const replay = await controlPlane.ingest(request);
    // Assess
    expect(replay).toEqual({
      status: 200,
      response: { ok: true, batchId: request.batchId, stored: 0, duplicates: 2, duplicateBatch: true },
    });
    expect(await store.recordIds()).toHaveLength(2);
    expect(await store.counts('tenant')).toEqual(before);
  });

  it('rejects a replay outside the freshness window', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const old = forwarder.sign('records', [bookedRecord()], {
      sentAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    // Act
    const result = await controlPlane.ingest(old);
    // Assess
    expect(result).toEqual({ status: 401, response: { ok: false, reason: 'stale' } });
    expect(await store.recordIds()).toEqual([]);
  });

  it('rejects a batch carrying an email address, with an alert naming the rule and path, never the value', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const request = forwarder.sign('records', [
      bookedRecord(),
      bookedRecord({ department: 'mina.das@example.org' }),
    ]);
    // Act
    const result = await controlPlane.ingest(request);
    // Assess
    expect(result.status).toBe(422);
    expect(result.response).toEqual({
      ok: false,
      reason: 'pii',
      offending: [{ index: 1, reason: 'pii', rules: ['email'], paths: ['$.record.attributes.department'] }],
    });
    expect(await store.recordIds()).toEqual([]);
    const alerts = await store.listAlerts(today());
    expect(alerts).toEqual([
      expect.objectContaining({
        reason: 'pii',
        rules: ['email'],
        batchId: request.batchId,
        paths: ['$.record.attributes.department'],
      }),
    ]);
    expect(JSON.stringify(alerts)).not.toContain('mina');
  });

  it('rejects a batch whose text holds a canary, with an alert naming the canary', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup({
      alertOnText: (text) => (text.includes('canary-dept') ? 'canary-7' : undefined),
    });
    const request = forwarder.sign('records', [bookedRecord({ department: 'canary-dept' })]);
    // Act
    const result = await controlPlane.ingest(request);
    // Assess
    expect(result.response).toMatchObject({ ok: false, reason: 'canary' });
    expect(await store.listAlerts(today())).toEqual([
      expect.objectContaining({ reason: 'canary', canary: 'canary-7' }),
    ]);
  });

  it('stores aggregate cells once', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const cells = [aggregateCell(), aggregateCell({ windowStart: '2025-03-04T06:00:00Z' })];
    // Act
    const first = await controlPlane.ingest(forwarder.sign('aggregates', cells));
    const again = await controlPlane.ingest(
      forwarder.sign('aggregates', cells, { batchId: crypto.randomUUID() }),
    );
    // Assess
    expect(first.response).toMatchObject({ ok: true, stored: 2 });
    expect(again.response).toMatchObject({ ok: true, stored: 0, duplicates: 2, duplicateBatch: false });
    expect(await store.aggregateSeries({ type: 'appointment.booked' })).toEqual({ cells, truncated: false });
  });

  it('applies an erasure notice: every row of the named tokens is deleted', async () => {
    // Prepare
    const { store, forwarder, controlPlane } = await setup();
    const erased = newToken();
    const kept = bookedRecord();
    await controlPlane.ingest(
      forwarder.sign('records', [kept, bookedRecord({ subject: erased }), bookedRecord({ subject: erased })]),
    );
    const notice = {
      schema: 'residency.erasure.v1',
      noticeId: crypto.randomUUID(),
      erasedAt: new Date().toISOString(),
      tokens: [erased],
    };
    // Act
    const result = await controlPlane.ingest(forwarder.sign('erasure', [notice]));
    // Assess
    expect(result.response).toMatchObject({ ok: true });
    expect(await store.recordIds()).toEqual([kept.recordId]);
    expect(await store.distinctPatients(kept.tenantId, '2025-03-04')).toBe(1);
  });
});
