import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../packages/aws/src/index.ts';
import { NOISE_MECHANISM } from '../../packages/core/src/aggregates/index.ts';
import { type LocalStack, startLocalStack } from '../../packages/local/src/index.ts';
import {
  COMPACT_RATIO,
  createDynamoWindowStore,
  createIngestFromEnv,
  createInMemoryMetrics,
  createWindowCloserFromEnv,
  type IngestFromEnv,
  NOISE_COMPOSITION,
  type PipelineEnv,
  silentLogger,
  type WindowCloserFromEnv,
} from '../../packages/pipeline/src/index.ts';
import { booked, registered } from '../../packages/pipeline/tests/support/events.ts';
import { kinesisRecord } from '../../packages/pipeline/tests/support/kinesis-events.ts';
import { documentClientFor, type FaultProxy } from '../../packages/testing/src/index.ts';
import { createVaultAdminFromEnv, type ExportResult } from '../../packages/vault/src/index.ts';
import { type Calls, STREAMS, startRecordingProxy, TABLES } from './grants-support.ts';
import { actionsByResource, idOf, referencedIds, type StageUnderTest, synthesizePlane } from './helpers.ts';

// The data-plane functions' IAM grants, checked against what their code really calls. Each function
// is built by its own Lambda wiring (`createIngestFromEnv`, `createWindowCloserFromEnv`,
// `createVaultAdminFromEnv`) from the environment the synthesized stack gives it, and run in
// process against the local stack (kinesalite, dynalite, the project's KMS endpoint). Its clients are pointed at recording proxies
// that note every AWS operation on the wire, per table, stream and key. A grant a function lacks
// would only show as AccessDenied after a deploy; one it never uses is privilege it should not hold.

const REGION = 'ap-south-1';

// Window arithmetic (60 s windows, 120 s allowed lateness, 60 s close grace: the defaults, which
// the stack does not override): the ingest runs at 10:01, when windows 09:59, 10:00 and 10:01 are
// open and window 09:50 is late.
const at = (hour: number, minute: number, second = 0) => Date.UTC(2026, 2, 1, hour, minute, second);
const INGEST_NOW = at(10, 1);
// Window 09:59 is due at 10:03, window 10:00 at 10:04.
const FIRST_CLOSE_NOW = at(10, 3, 30);
const SECOND_CLOSE_NOW = at(10, 4, 30);

/**
 * A Kinesis event as Lambda delivers it (the pipeline's test records): JSON payloads
 * base64-encoded, strings passed as they are, all arrived at the ingest's now.
 */
function kinesisEvent(firstSequence: number, payloads: readonly unknown[]): KinesisStreamEvent {
  return {
    Records: payloads.map((payload, i) =>
      kinesisRecord(payload, String(firstSequence + i), undefined, {
        raw: typeof payload === 'string',
        arrivalMillis: INGEST_NOW,
      }),
    ),
  };
}

const iso = (millis: number) => new Date(millis).toISOString();

let data: StageUnderTest;
let dataDir: string;
let stack: LocalStack | undefined;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  data = await synthesizePlane('data', {
    env: {
      RESIDENCY_DATA_REGION: REGION,
      RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
    },
  });
  dataDir = await mkdtemp(join(tmpdir(), 'data-plane-grants-'));
  stack = await startLocalStack({ dataDir, region: REGION, shardCount: 1 });
});
afterAll(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The stack's logical id of each local table, stream and the key, by local name (or key ARN). */
function localNames(): Map<string, { id: string; name: string }> {
  const file = (stack as LocalStack).endpointsFile;
  const byId = new Map<string, { id: string; name: string }>();
  for (const [prefix, role] of Object.entries(TABLES)) {
    const id = idOf(data, 'AWS::DynamoDB::Table', prefix);
    byId.set(id, { id, name: file.tables[role] as string });
  }
  for (const [prefix, role] of Object.entries(STREAMS)) {
    const id = idOf(data, 'AWS::Kinesis::Stream', prefix);
    byId.set(id, { id, name: file.streams[role] as string });
  }
  const key = idOf(data, 'AWS::KMS::Key', 'DataKey');
  byId.set(key, { id: key, name: file.keyArn });
  return byId;
}

/** A function's environment and what it has called so far, by the stack's logical id. */
interface FunctionUnderTest {
  readonly env: PipelineEnv;
  calls(): Calls;
}

/**
 * The environment the stack gives a function, with each table, stream and the key replaced by its
 * local counterpart, plus what Lambda sets (`AWS_REGION`) and the endpoints of recording proxies
 * of the function's own. A value the test cannot map (a new kind of reference) fails the test,
 * unless `overrides` gives it.
 */
async function asDeployed(fn: string, overrides: Record<string, string> = {}): Promise<FunctionUnderTest> {
  const resource = data.json.Resources[idOf(data, 'AWS::Lambda::Function', fn)];
  const environment = resource?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  const variables = environment?.Variables ?? {};
  const locals = localNames();
  const env: Record<string, string> = { AWS_REGION: REGION };
  for (const [name, value] of Object.entries(variables)) {
    // SST's own variables; the handlers do not read them.
    if (/^(SST_|AWS_NODEJS_)/.test(name)) continue;
    if (name in overrides) {
      env[name] = overrides[name] as string;
      continue;
    }
    if (typeof value === 'string') {
      env[name] = value;
      continue;
    }
    const [id, ...others] = [...referencedIds(value)];
    const local = id === undefined ? undefined : locals.get(id);
    if (!local || others.length > 0) throw new Error(`${fn}: no local value for ${name}`);
    env[name] = local.name;
  }
  const byName: Calls = new Map();
  const file = (stack as LocalStack).endpointsFile;
  for (const service of ['dynamodb', 'kinesis', 'kms'] as const) {
    const proxy = await startRecordingProxy(file.endpoints[service] as string, byName);
    proxies.push(proxy);
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = proxy.url;
  }
  const idByName = new Map([...locals.values()].map(({ id, name }) => [name, id]));
  return {
    env,
    calls() {
      const byId: Calls = new Map();
      for (const [name, operations] of byName) {
        const id = idByName.get(name) ?? `${NOT_IN_THE_STACK} ${name}`;
        byId.set(id, new Set([...(byId.get(id) ?? []), ...operations]));
      }
      return byId;
    },
  };
}

const NOT_IN_THE_STACK = '(not in the stack)';

/** Whether an IAM action list allows an action (trailing `*` wildcards, as CDK grants them). */
function allows(granted: ReadonlySet<string>, action: string): boolean {
  return [...granted].some((g) => g === action || (g.endsWith('*') && action.startsWith(g.slice(0, -1))));
}

const options = () => ({ logger: silentLogger, metrics: createInMemoryMetrics() });

async function runTheIngest(): Promise<Calls> {
  const { env, calls } = await asDeployed('Ingest');
  const clock = { nowMillis: () => INGEST_NOW };
  const built: IngestFromEnv[] = [];
  try {
    // Two Lambda environments of the ingest, one after the other on the same shard: the second
    // finds the vault's index key made (and unwraps it) and takes the shard's aggregates over.
    const first = await createIngestFromEnv(env, { ...options(), clock });
    built.push(first);
    const second = await createIngestFromEnv(env, { ...options(), clock });
    built.push(second);
    // Twelve patients in a cell of each window, so that the window closer releases a cell (k = 10).
    const patients = (window: number) =>
      Array.from({ length: 12 }, (_, i) =>
        booked({ occurredAt: iso(window + 30_000), patientId: `P-000000${10 + i}` }),
      );
    const batch = kinesisEvent(1000, [
      registered({ occurredAt: iso(at(9, 59, 20)), patientId: 'P-00099999', phone: '01712345678' }),
      ...patients(at(9, 59)),
      booked({ occurredAt: iso(at(10, 0, 30)) }),
      // Late: window 09:50 closed for the ingest at 09:53.
      booked({ occurredAt: iso(at(9, 50, 10)) }),
      'patient P-77777777 phone 01719999999 not json',
    ]);
    const answers = [
      await first.handler(batch),
      // The same batch again, as Lambda redelivers it after a timeout.
      await first.handler(batch),
      await second.handler(
        kinesisEvent(2000, [
          ...patients(at(10, 0)),
          registered({
            occurredAt: iso(at(10, 0, 45)),
            patientId: 'P-00088888',
            phone: '01812345678',
            email: 'p-00088888@example.org',
          }),
        ]),
      ),
    ];
    // One patient's bookings in window 10:01, one batch each, until the window's pages outgrow its
    // one partial and a batch compacts them (deletes the older pages): the pages after the first
    // hold no subject (the patient is known), so a page is a little smaller than the partial.
    // Window 10:01 is due after the window closer's runs below, so they do not see it.
    for (let n = 0; n < COMPACT_RATIO + 10; n++) {
      const compacting = kinesisEvent(3000 + n, [
        booked({ occurredAt: iso(at(10, 1)), patientId: 'P-00000042' }),
      ]);
      answers.push(await second.handler(compacting));
    }
    for (const answer of answers) expect(answer.batchItemFailures).toEqual([]);
  } finally {
    for (const ingest of built) ingest.close();
  }
  return calls();
}
let ingested: Promise<Calls> | undefined;
/** The ingest's run, once: the window closer closes the windows it fills. */
const callsOfTheIngest = () => {
  ingested ??= runTheIngest();
  return ingested;
};

async function callsOfTheWindowCloser(): Promise<Calls> {
  await callsOfTheIngest();
  const { env, calls } = await asDeployed('WindowCloser');
  const closers: WindowCloserFromEnv[] = [];
  try {
    // As deployed, at 10:03:30: window 09:59 is due.
    const deployed = await createWindowCloserFromEnv(env, {
      ...options(),
      clock: { nowMillis: () => FIRST_CLOSE_NOW },
    });
    closers.push(deployed);
    const first = await deployed.closer.run();
    expect(first.windows.map((w) => [w.windowStart, w.outcome])).toEqual([
      ['2026-03-01T09:59:00.000Z', 'released'],
    ]);
    // With noise, which an operator may configure (NOISE_EPSILON; the stack does not set it): a
    // run that recorded window 10:00's epsilon ledger died before releasing it, so the next run's
    // conditional put of the ledger fails and it reads that entry back. The dead run's entry is
    // written here directly, past the recording proxies.
    const file = (stack as LocalStack).endpointsFile;
    const direct = createAwsClients({ region: REGION, endpoints: file.endpoints });
    try {
      await createDynamoWindowStore({
        documentClient: documentClientFor(direct.dynamodb),
        tableName: file.tables.aggregates as string,
      }).recordLedger(
        { startMillis: at(10, 0), seconds: 60 },
        {
          mechanism: NOISE_MECHANISM,
          epsilon: 1,
          k: 10,
          composition: NOISE_COMPOSITION,
          seed: randomBytes(32),
          recordedAtMillis: at(10, 4),
        },
      );
    } finally {
      direct.destroy();
    }
    const noisy = await createWindowCloserFromEnv(
      { ...env, NOISE_EPSILON: '1' },
      { ...options(), clock: { nowMillis: () => SECOND_CLOSE_NOW } },
    );
    closers.push(noisy);
    const second = await noisy.closer.run();
    expect(second.windows.map((w) => [w.windowStart, w.outcome])).toEqual([
      ['2026-03-01T10:00:00.000Z', 'released'],
    ]);
  } finally {
    for (const closer of closers) closer.close();
  }
  return calls();
}

/** A patient the ingest's run registered, with a phone and an email linked to it. */
const REGISTERED = { kind: 'patient', value: 'P-00088888', tenant: 'dhk-mirpur-01' };

async function callsOfVaultAdmin(): Promise<Calls> {
  // After the ingest, whose run registered the patient.
  await callsOfTheIngest();
  // The stack gives the ARNs of the roles of RESIDENCY_DETOKENIZE_ROLES; the test's caller is `dpo`.
  const { env, calls } = await asDeployed('VaultAdmin', { DETOKENIZE_PRINCIPALS: 'dpo' });
  const admin = await createVaultAdminFromEnv(env);
  try {
    const access = { actor: 'dpo', purpose: 'grants test' };
    const exported = await admin.handle({ action: 'export', subject: { identifier: REGISTERED }, ...access });
    expect(exported).toMatchObject({ ok: true, outcome: 'found', contacts: [{}, {}] });
    const { subject, contacts } = exported as unknown as ExportResult & { outcome: 'found' };
    const revealed = await admin.handle({
      action: 'detokenize',
      tokens: [subject.token, ...contacts.map((c) => c.token)],
      ...access,
    });
    expect(revealed).toMatchObject({ ok: true, missing: [] });
    const erased = await admin.handle({ action: 'erase', subject: { identifier: REGISTERED }, ...access });
    expect(erased).toMatchObject({ ok: true, outcome: 'erased' });
  } finally {
    admin.close();
  }
  return calls();
}

/**
 * Exactly what it calls, per table: nothing missing, and nothing granted that it never uses. The
 * calls include what a BatchWriteItem falls back to (`writeBatchFallbacks`).
 */
function expectExactTableGrants(fn: string, calls: Calls): void {
  const granted = actionsByResource(data, fn);
  for (const table of Object.keys(TABLES) as Array<keyof typeof TABLES>) {
    const id = idOf(data, 'AWS::DynamoDB::Table', table);
    expect([...(granted.get(id) ?? [])].sort(), `${fn} on ${table}`).toEqual(
      [...(calls.get(id) ?? [])].sort(),
    );
  }
}

function expectCallsGranted(fn: string, calls: Calls, type: string, prefix: string): void {
  const id = idOf(data, type, prefix);
  const granted = actionsByResource(data, fn).get(id) ?? new Set<string>();
  for (const action of calls.get(id) ?? [])
    expect(allows(granted, action), `${fn}: ${action} on ${prefix}`).toBe(true);
}

describe('DataPlane stack: the grants of the functions, against what their code calls', () => {
  it('grant the ingest exactly the DynamoDB calls it makes, on the table it makes them on, and its stream and key calls', async () => {
    // Act
    const calls = await callsOfTheIngest();
    // Assess
    expect([...calls.keys()].filter((id) => id.startsWith(NOT_IN_THE_STACK))).toEqual([]);
    const id = (type: string, prefix: string) => idOf(data, type, prefix);
    // The run reached the paths it is built to reach: a takeover reads the event log, a compaction
    // deletes older pages in a BatchWriteItem (so it may fall back to DeleteItem), the quarantine
    // is written in batches (so it may fall back to PutItem), the second environment reads the
    // index key back and unwraps it, records go to the outbox.
    expect(calls.get(id('AWS::DynamoDB::Table', 'Aggregates'))).toContain('dynamodb:Query');
    expect(calls.get(id('AWS::DynamoDB::Table', 'Aggregates'))).toContain('dynamodb:DeleteItem');
    expect(calls.get(id('AWS::DynamoDB::Table', 'Quarantine'))).toContain('dynamodb:PutItem');
    expect(calls.get(id('AWS::DynamoDB::Table', 'Vault'))).toContain('dynamodb:GetItem');
    expect(calls.get(id('AWS::Kinesis::Stream', 'Outbox'))).toContain('kinesis:PutRecords');
    expect([...(calls.get(id('AWS::KMS::Key', 'DataKey')) ?? [])].sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
    ]);
    expectExactTableGrants('Ingest', calls);
    expectCallsGranted('Ingest', calls, 'AWS::Kinesis::Stream', 'Events');
    expectCallsGranted('Ingest', calls, 'AWS::Kinesis::Stream', 'Outbox');
    expectCallsGranted('Ingest', calls, 'AWS::KMS::Key', 'DataKey');
  });

  it('grant the window closer exactly the DynamoDB calls it makes, and its stream and key calls', async () => {
    // Act (after the ingest has filled windows 09:59 and 10:00)
    const calls = await callsOfTheWindowCloser();
    // Assess
    expect([...calls.keys()].filter((id) => id.startsWith(NOT_IN_THE_STACK))).toEqual([]);
    expect(calls.get(idOf(data, 'AWS::Kinesis::Stream', 'Outbox'))).toContain('kinesis:PutRecords');
    expectExactTableGrants('WindowCloser', calls);
    expectCallsGranted('WindowCloser', calls, 'AWS::Kinesis::Stream', 'Outbox');
    expectCallsGranted('WindowCloser', calls, 'AWS::KMS::Key', 'DataKey');
  });

  it('grant vault-admin every call it makes: its cold-start descriptions, then export, detokenize and erase', async () => {
    // Act
    const calls = await callsOfVaultAdmin();
    // Assess
    expect([...calls.keys()].filter((id) => id.startsWith(NOT_IN_THE_STACK))).toEqual([]);
    const id = (type: string, prefix: string) => idOf(data, type, prefix);
    // The cold start described each resource it is configured with (`verifyLiveResidency`).
    expect(calls.get(id('AWS::DynamoDB::Table', 'Vault'))).toContain('dynamodb:DescribeTable');
    expect(calls.get(id('AWS::DynamoDB::Table', 'Audit'))).toContain('dynamodb:DescribeTable');
    expect(calls.get(id('AWS::Kinesis::Stream', 'Outbox'))).toContain('kinesis:DescribeStreamSummary');
    expect(calls.get(id('AWS::KMS::Key', 'DataKey'))).toContain('kms:DescribeKey');
    // Then the operations: links read by Query, entries deleted in batches, the notice put.
    expect(calls.get(id('AWS::DynamoDB::Table', 'Vault'))).toContain('dynamodb:Query');
    expect(calls.get(id('AWS::DynamoDB::Table', 'Vault'))).toContain('dynamodb:BatchWriteItem');
    expect(calls.get(id('AWS::Kinesis::Stream', 'Outbox'))).toContain('kinesis:PutRecords');
    for (const table of Object.keys(TABLES)) {
      expectCallsGranted('VaultAdmin', calls, 'AWS::DynamoDB::Table', table);
    }
    // The audit log: written and described, nothing else.
    expect(
      [...(actionsByResource(data, 'VaultAdmin').get(id('AWS::DynamoDB::Table', 'Audit')) ?? [])].sort(),
    ).toEqual([...(calls.get(id('AWS::DynamoDB::Table', 'Audit')) ?? [])].sort());
    expectCallsGranted('VaultAdmin', calls, 'AWS::Kinesis::Stream', 'Outbox');
    expectCallsGranted('VaultAdmin', calls, 'AWS::KMS::Key', 'DataKey');
  });
});
