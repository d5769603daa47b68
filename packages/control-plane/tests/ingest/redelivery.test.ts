import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createBatchVerifier } from '@residency/border';
import type { Clock } from '@residency/core';
import { bookedRecord, newToken } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../src/index.ts';
import { ensureControlPlaneTables } from '../../src/local/ensure-tables.ts';
import { createDynamoControlPlaneStore } from '../../src/store/dynamo-store.ts';
import type { ControlPlaneTables } from '../../src/store/tables.ts';
import { CONTROL_REGION, type ControlDynamo, startControlDynamo, uniqueTables } from '../fixtures/dynamo.ts';
import { testSigner } from '../fixtures/signing.ts';

// A delivery that dies part way (the process is killed, the function times out) leaves some of
// its writes behind; the forwarder then delivers the same signed batch again. Every total must
// come out as if the batch had been delivered once. Each case lets a control plane make its first
// `crashAt - 1` DynamoDB calls, and kills it at call `crashAt`: before the call is sent, or after
// it landed but before its answer is read. A fresh control plane (a new process) then gets the
// same request.

let dynamo: ControlDynamo;
beforeAll(async () => {
  dynamo = await startControlDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

class Killed extends Error {
  override name = 'Killed';
}

/**
 * A DynamoDB client that counts its calls and, from `crashAt` on, dies (see the file's comment).
 * `dead` settles once it died and the calls it sent before have landed: what the dead process
 * does after that (retries of failed calls) never reaches the table.
 */
function dyingClient(crashAt: number, mode: 'before-send' | 'after-landing') {
  const client = new DynamoDBClient({
    region: CONTROL_REGION,
    endpoint: dynamo.dynalite.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const state = { calls: 0, inFlight: 0, died: false };
  let settle: () => void = () => undefined;
  const dead = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const settleIfDead = () => {
    if (state.died && state.inFlight === 0) settle();
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      state.calls += 1;
      const call = state.calls;
      if (call > crashAt || (call === crashAt && mode === 'before-send')) {
        state.died = true;
        settleIfDead();
        throw new Killed();
      }
      state.inFlight += 1;
      try {
        const output = await next(args);
        if (call === crashAt) {
          state.died = true;
          throw new Killed();
        }
        return output;
      } finally {
        state.inFlight -= 1;
        settleIfDead();
      }
    },
    { step: 'initialize', name: 'dyingProcess' },
  );
  return { client, state, dead };
}

/** Delivers on a dying client and returns once it is dead; fails if the delivery finished instead. */
async function deliverUntilKilled(
  controlPlane: ReturnType<typeof createControlPlane>,
  request: Parameters<ReturnType<typeof createControlPlane>['ingest']>[0],
  dying: ReturnType<typeof dyingClient>,
) {
  const finished = controlPlane.ingest(request).then(
    () => 'answered',
    () => 'failed',
  );
  const outcome = await Promise.race([dying.dead.then(() => 'killed'), finished]);
  expect(outcome).toBe('killed');
}

const clockAt = (millis: number): Clock => ({ nowMillis: () => millis });

function controlPlaneOn(
  tables: ControlPlaneTables,
  client: DynamoDBClient,
  publicKeys: Record<string, string>,
  clock?: Clock,
) {
  const store = createDynamoControlPlaneStore({ dynamodb: client, tables });
  return createControlPlane({
    store,
    verifier: createBatchVerifier({ keys: publicKeys }),
    ...(clock ? { clock } : {}),
  });
}

async function freshTables(): Promise<ControlPlaneTables> {
  const tables = uniqueTables();
  await ensureControlPlaneTables(dynamo.clients.dynamodb, tables);
  return tables;
}

/** Every total in the counters table (`pk|sk` → n), and the marks still on them. */
async function totals(tables: ControlPlaneTables) {
  const doc = DynamoDBDocumentClient.from(dynamo.clients.dynamodb);
  const output = await doc.send(new ScanCommand({ TableName: tables.counters, ConsistentRead: true }));
  const counts: Record<string, number> = {};
  let marks = 0;
  for (const item of output.Items ?? []) {
    if (Number(item.n ?? 0) !== 0) counts[`${item.pk}|${item.sk}`] = Number(item.n);
    marks += (item.ops as Set<string> | undefined)?.size ?? 0;
  }
  return { counts, marks };
}

/**
 * Runs `prepare` then `deliver` healthy on fresh tables (the reference), counting deliver's calls;
 * then, for every call of deliver and both ways of dying, on fresh tables: prepare, a delivery
 * that dies there, and a redelivery. Returns the reference totals and every case's outcome.
 */
async function everyCrash(
  prepare: (tables: ControlPlaneTables) => Promise<void>,
  request: () => Parameters<ReturnType<typeof createControlPlane>['ingest']>[0],
  publicKeys: Record<string, string>,
) {
  const referenceTables = await freshTables();
  await prepare(referenceTables);
  const counting = dyingClient(Number.POSITIVE_INFINITY, 'before-send');
  const healthy = await controlPlaneOn(referenceTables, counting.client, publicKeys).ingest(request());
  counting.client.destroy();
  expect(healthy.response).toMatchObject({ ok: true, duplicateBatch: false });
  const reference = await totals(referenceTables);
  const cases: Array<{
    crashAt: number;
    mode: string;
    answer: unknown;
    totals: Awaited<ReturnType<typeof totals>>;
  }> = [];
  for (let crashAt = 1; crashAt <= counting.state.calls; crashAt++) {
    for (const mode of ['before-send', 'after-landing'] as const) {
      const tables = await freshTables();
      await prepare(tables);
      const dying = dyingClient(crashAt, mode);
      await deliverUntilKilled(controlPlaneOn(tables, dying.client, publicKeys), request(), dying);
      // The killed delivery's claim would hold the batch for its lease: the redelivery comes later.
      const later = clockAt(Date.now() + 10 * 60_000);
      const again = await controlPlaneOn(tables, dynamo.clients.dynamodb, publicKeys, later).ingest(
        request(),
      );
      cases.push({ crashAt, mode, answer: again, totals: await totals(tables) });
    }
  }
  return { reference, healthy, calls: counting.state.calls, cases };
}

// Each case of the first two is a fresh set of tables and two deliveries: dozens of cases, which
// take 20-30 s on two busy cores.
const EVERY_CRASH_TIMEOUT_MILLIS = 120_000;

describe('control-plane totals when a delivery dies part way', () => {
  it(
    'a records batch: the redelivery stores what is missing and every total moves once',
    async () => {
      // Prepare
      const forwarder = testSigner();
      const records = [
        bookedRecord({ tenantId: 'clinic-a', department: 'cardiology' }),
        bookedRecord({ tenantId: 'clinic-a', department: 'oncology' }),
        bookedRecord({ tenantId: 'clinic-b', department: 'cardiology' }),
      ];
      const request = forwarder.sign('records', records);
      // Act
      const { reference, healthy, calls, cases } = await everyCrash(
        async () => undefined,
        () => request,
        forwarder.publicKeys,
      );
      // Assess
      expect(healthy.response).toMatchObject({ stored: 3 });
      expect(Object.keys(reference.counts).length).toBeGreaterThan(10);
      expect(reference.marks).toBe(0);
      expect(calls).toBeGreaterThan(10);
      for (const { crashAt, mode, answer, totals } of cases) {
        const label = `killed at call ${crashAt} (${mode})`;
        expect(totals.counts, label).toEqual(reference.counts);
        const response = (answer as { response: { ok: boolean; duplicateBatch?: boolean; stored?: number } })
          .response;
        expect(response.ok, label).toBe(true);
        // Not yet recorded as stored: the redelivery reports what the batch stored, and retires every mark.
        if (response.duplicateBatch === false) {
          expect(response.stored, label).toBe(3);
          expect(totals.marks, label).toBe(0);
        }
      }
      expect(
        cases.some((c) => (c.answer as { response: { duplicateBatch?: boolean } }).response.duplicateBatch),
      ).toBe(true);
    },
    EVERY_CRASH_TIMEOUT_MILLIS,
  );

  it(
    'an erasure batch: each erased record takes its totals down once',
    async () => {
      // Prepare
      const forwarder = testSigner();
      const erased = newToken();
      const records = [
        bookedRecord({ tenantId: 'clinic-e' }),
        bookedRecord({ tenantId: 'clinic-e', subject: erased }),
        bookedRecord({ tenantId: 'clinic-e', subject: erased, department: 'oncology' }),
      ];
      const sentAt = new Date().toISOString();
      const store = forwarder.sign('records', records);
      const notice = {
        schema: 'residency.erasure.v1',
        noticeId: crypto.randomUUID(),
        erasedAt: sentAt,
        tokens: [erased],
      };
      const erasure = forwarder.sign('erasure', [notice]);
      const prepare = async (tables: ControlPlaneTables) => {
        const stored = await controlPlaneOn(tables, dynamo.clients.dynamodb, forwarder.publicKeys).ingest(
          store,
        );
        expect(stored.response).toMatchObject({ ok: true, stored: 3 });
      };
      // Act
      const { reference, cases } = await everyCrash(prepare, () => erasure, forwarder.publicKeys);
      // Assess
      expect(reference.counts).toMatchObject({
        'COUNT#*#tenant|clinic-e': 1,
        'COUNT#clinic-e#dim:department|cardiology': 1,
      });
      expect(reference.counts).not.toHaveProperty(['COUNT#clinic-e#dim:department|oncology']);
      for (const { crashAt, mode, answer, totals } of cases) {
        const label = `killed at call ${crashAt} (${mode})`;
        expect((answer as { response: { ok: boolean } }).response.ok, label).toBe(true);
        expect(totals.counts, label).toEqual(reference.counts);
      }
    },
    EVERY_CRASH_TIMEOUT_MILLIS,
  );
});

describe('control-plane batch claims', () => {
  it('holds a second delivery off while the first is live, and lets it take over once the lease lapsed', async () => {
    // Prepare
    const tables = await freshTables();
    const store = createDynamoControlPlaneStore({ dynamodb: dynamo.clients.dynamodb, tables });
    const batch = {
      batchId: 'b-claims',
      kind: 'records' as const,
      count: 0,
      keyId: 'k',
      sentAt: '2025-03-04T06:00:00.000Z',
      receivedAt: '2025-03-04T06:00:01.000Z',
      sha256: '0',
      itemsSha256: '0',
      stored: 0,
      duplicates: 0,
    };
    // Act
    const first = await store.claimBatch(batch.batchId, { nowMillis: 1_000, leaseMillis: 60_000 });
    const meanwhile = await store.claimBatch(batch.batchId, { nowMillis: 30_000, leaseMillis: 60_000 });
    const takeover = await store.claimBatch(batch.batchId, { nowMillis: 62_000, leaseMillis: 60_000 });
    const lapsed = first.state === 'claimed' ? await store.completeBatch(batch, first.claim) : undefined;
    const beforeCompletion = await store.getBatch(batch.batchId);
    const completed =
      takeover.state === 'claimed' ? await store.completeBatch(batch, takeover.claim) : undefined;
    const afterCompletion = await store.claimBatch(batch.batchId, {
      nowMillis: 500_000,
      leaseMillis: 60_000,
    });
    // Assess
    expect(first.state).toBe('claimed');
    expect(meanwhile).toEqual({ state: 'busy' });
    expect(takeover.state).toBe('claimed');
    expect(lapsed).toEqual({ completed: false, marksLeft: 0 });
    expect(beforeCompletion).toBeUndefined();
    expect(completed).toEqual({ completed: true, marksLeft: 0 });
    expect(afterCompletion).toEqual({ state: 'stored', batch });
    expect(await store.getBatch(batch.batchId)).toEqual(batch);
  });

  it('answers a delivery of a batch another delivery is storing with 503 busy, which the forwarder retries', async () => {
    // Prepare
    const forwarder = testSigner();
    const tables = await freshTables();
    const request = forwarder.sign('records', [bookedRecord()]);
    const now = Date.now();
    const dying = dyingClient(3, 'before-send');
    await deliverUntilKilled(
      controlPlaneOn(tables, dying.client, forwarder.publicKeys, clockAt(now)),
      request,
      dying,
    );
    // Act
    const soon = await controlPlaneOn(
      tables,
      dynamo.clients.dynamodb,
      forwarder.publicKeys,
      clockAt(now + 1_000),
    ).ingest(request);
    // Assess
    expect(soon).toEqual({ status: 503, response: { ok: false, reason: 'busy' } });
  });
});
