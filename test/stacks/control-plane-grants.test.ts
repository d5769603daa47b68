import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../packages/aws/src/index.ts';
import { createBatchVerifier } from '../../packages/border/src/index.ts';
import {
  type ControlPlaneTables,
  createControlPlane,
  createDynamoControlPlaneStore,
  ensureControlPlaneTables,
} from '../../packages/control-plane/src/index.ts';
import { testSigner } from '../../packages/control-plane/tests/fixtures/signing.ts';
import { type RunningEmulator, startDynalite } from '../../packages/local/src/index.ts';
import { aggregateCell, bookedRecord, newToken } from '../../packages/testing/src/outbox-fixtures.ts';
import { writeBatchFallbacks } from './grants-support.ts';
import { actionsByResource, idOf, type StageUnderTest, synthesizePlane } from './helpers.ts';

// The control-plane ingest's IAM grants, checked against what its store really calls: the ingest
// runs a records batch, the same batch again, an aggregates batch, an erasure notice and a
// batch signed with an unknown key against
// dynalite, and every DynamoDB operation it sends is recorded per table, with the item-by-item
// calls a BatchWriteItem may fall back to (`writeBatchFallbacks`). A grant it lacks would only
// show as AccessDenied after a deploy.

const ROLES = {
  records: 'Records',
  aggregates: 'ControlAggregates',
  counters: 'Counters',
  batches: 'Batches',
  alerts: 'Alerts',
} as const;

let control: StageUnderTest;
let dynalite: RunningEmulator;
beforeAll(async () => {
  control = await synthesizePlane('control', {
    env: {
      RESIDENCY_CONTROL_REGION: 'eu-west-3',
      RESIDENCY_SIGNING_PUBLIC_KEYS: JSON.stringify({
        k1: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAvrwRiBDYCVpF0pk6ONEQNWI9ldlO1sqGIBqiNl+rXLc=\n-----END PUBLIC KEY-----\n',
      }),
    },
  });
  dynalite = await startDynalite({ region: 'eu-west-3' });
});
afterAll(async () => {
  await dynalite?.close();
});

async function callsOfTheIngest(): Promise<Map<keyof typeof ROLES, Set<string>>> {
  const clients = createAwsClients({ region: 'eu-west-3', endpoints: { dynamodb: dynalite.url } });
  const suffix = randomUUID().slice(0, 8);
  const tables = Object.fromEntries(
    Object.keys(ROLES).map((role) => [role, `grants-${role}-${suffix}`]),
  ) as unknown as ControlPlaneTables;
  await ensureControlPlaneTables(clients.dynamodb, tables);
  const roleOf = new Map(Object.entries(tables).map(([role, name]) => [name, role as keyof typeof ROLES]));
  const calls = new Map<keyof typeof ROLES, Set<string>>();
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const record = (name: string | undefined, action: string) => {
        const role = name === undefined ? undefined : roleOf.get(name);
        if (!role) return;
        const operations = calls.get(role) ?? new Set<string>();
        operations.add(action);
        calls.set(role, operations);
      };
      for (const name of [input.TableName, ...Object.keys(input.RequestItems ?? {})])
        record(name, `dynamodb:${operation}`);
      for (const [name, actions] of writeBatchFallbacks(operation, input))
        for (const action of actions) record(name, action);
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  try {
    const forwarder = testSigner();
    const sign = forwarder.sign;
    const controlPlane = createControlPlane({
      store: createDynamoControlPlaneStore({ dynamodb: clients.dynamodb, tables }),
      verifier: createBatchVerifier({ keys: forwarder.publicKeys }),
    });
    const erased = newToken();
    const records = sign('records', [bookedRecord(), bookedRecord({ subject: erased })]);
    const notice = {
      schema: 'residency.erasure.v1',
      noticeId: randomUUID(),
      erasedAt: new Date().toISOString(),
      tokens: [erased],
    };
    const answers = [
      await controlPlane.ingest(records),
      await controlPlane.ingest(records),
      await controlPlane.ingest(sign('records', [bookedRecord({ subject: erased })])),
      await controlPlane.ingest(sign('aggregates', [aggregateCell()])),
      await controlPlane.ingest(sign('erasure', [notice])),
    ];
    for (const answer of answers) expect(answer.response.ok).toBe(true);
    // A batch signed with a key the control plane does not know: refused, with an alert.
    const forged = testSigner().sign('records', [bookedRecord()]);
    expect((await controlPlane.ingest(forged)).status).toBe(401);
    return calls;
  } finally {
    clients.destroy();
  }
}

describe('ControlPlane stack: the ingest grants', () => {
  it('grant exactly the DynamoDB calls the ingest makes, on the table it makes them on', async () => {
    // Prepare
    const granted = actionsByResource(control, 'ControlIngest');
    // Act
    const calls = await callsOfTheIngest();
    // Assess
    expect(calls.get('records')?.size).toBeGreaterThan(3);
    // The erasure deleted records in a BatchWriteItem, which `writeBatch` may send one by one.
    expect(calls.get('records')).toContain('dynamodb:DeleteItem');
    for (const role of Object.keys(ROLES) as Array<keyof typeof ROLES>) {
      const table = idOf(control, 'AWS::DynamoDB::Table', ROLES[role]);
      // Exactly what it calls: nothing missing, and nothing granted that it never uses.
      expect([...(granted.get(table) ?? [])].sort(), role).toEqual([...(calls.get(role) ?? [])].sort());
    }
  });
});
