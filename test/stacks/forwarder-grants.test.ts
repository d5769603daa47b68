import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createForwarderFromEnv,
  type ForwardReport,
  generateSigningKeyPair,
} from '../../packages/border/src/index.ts';
import { type RunningControlPlane, startControlPlaneServer } from '../../packages/control-plane/src/index.ts';
import { type LocalStack, startLocalStack } from '../../packages/local/src/index.ts';
import type { FaultProxy } from '../../packages/testing/src/index.ts';
import {
  aggregateCell,
  bookedRecord,
  kinesisEvent,
  recordMessage,
} from '../../packages/testing/src/outbox-fixtures.ts';
import { type Calls, resourcesOf, STREAMS, startRecordingProxy, TABLES } from './grants-support.ts';
import { grantsByResource, idOf, type StageUnderTest, synthesizePlane } from './helpers.ts';
import { type RunningParameterStore, startParameterStore } from './parameter-store.ts';

// The forwarder's IAM grants, checked against what its code really calls, as
// data-plane-grants.test.ts does for the ingest and the window closer. The forwarder is built by its
// own Lambda wiring (`createForwarderFromEnv`) from the environment the synthesized stack gives it,
// mapped onto the local stack, and run in process: it reads its signing key from a parameter store
// on loopback, forwards to a control plane on loopback and writes the quarantine and the egress log
// in dynalite. Its AWS clients go through recording proxies that note every operation on the wire,
// per table, stream, key and parameter. A grant it lacks would only show as AccessDenied after a
// deploy; one it never uses is privilege the only component with a route out of the region should
// not hold.

const REGION = 'ap-south-1';
const ACCOUNT = '123456789012';
/** The origin the stack is synthesized with; the test sends to a local control plane instead. */
const ORIGIN = 'https://control.example.org';

/** Granted actions on one resource of the stack that no run of the forwarder's code calls, and why. */
interface Uncalled {
  readonly type: string;
  /** Logical id prefix. */
  readonly resource: string;
  readonly actions: readonly string[];
  readonly reason: string;
}

/**
 * Grants AWS itself uses with the forwarder's role, for the function rather than in its code, so no
 * in-process run calls them. Each is what the service's documentation asks of the execution role.
 */
const USED_BY_AWS_FOR_THE_FORWARDER: readonly Uncalled[] = [
  {
    type: 'AWS::Kinesis::Stream',
    resource: 'Outbox',
    // CDK's `KinesisEventSource` grants these (`Stream.grantRead`).
    actions: [
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
      'kinesis:SubscribeToShard',
      'kinesis:DescribeStream',
      'kinesis:ListStreams',
      'kinesis:DescribeStreamConsumer',
    ],
    reason:
      "Lambda's event source mapping reads the outbox with the function's role " +
      '(https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html)',
  },
  {
    type: 'AWS::SQS::Queue',
    resource: 'ForwarderFailures',
    actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    reason:
      "the mapping's on-failure destination: Lambda sends what it gives up on with the function's role " +
      '(https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html)',
  },
  {
    type: 'AWS::KMS::Key',
    resource: 'DataKey',
    actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    reason:
      'the outbox and the quarantine and egress-log tables are encrypted with the data key: Kinesis ' +
      'decrypts records for the mapping and DynamoDB encrypts and decrypts items on the caller’s ' +
      'behalf (`grantTable`); the forwarder’s code calls no KMS operation',
  },
];

const NOT_IN_THE_STACK = '(not in the stack)';

/** The ARN of an SSM parameter in the stack's account and the data region, as IAM names it. */
const parameterArn = (name: string) =>
  `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/** The resources an AWS JSON request names: its table(s), stream, key or parameter(s). */
function resourcesNamedBy(service: string, body: Record<string, unknown>): string[] {
  if (service !== 'SSM') return resourcesOf(body);
  return [body.Name, body.Names, body.Path]
    .flat()
    .flatMap((name) => (typeof name === 'string' ? [parameterArn(name)] : []));
}

let data: StageUnderTest;
let dataDir: string;
let stack: LocalStack | undefined;
let controlPlane: RunningControlPlane | undefined;
let parameterStore: RunningParameterStore | undefined;
const proxies: FaultProxy[] = [];
const signingKey = generateSigningKeyPair();

/** The Lambda function's environment variables in the synthesized template. */
function variablesOf(fn: string): Record<string, unknown> {
  const resource = data.json.Resources[idOf(data, 'AWS::Lambda::Function', fn)];
  const environment = resource?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

beforeAll(async () => {
  data = await synthesizePlane('data', {
    account: ACCOUNT,
    env: { RESIDENCY_DATA_REGION: REGION, RESIDENCY_CONTROL_PLANE_ORIGIN: ORIGIN },
  });
  dataDir = await mkdtemp(join(tmpdir(), 'forwarder-grants-'));
  stack = await startLocalStack({ dataDir, region: REGION, shardCount: 1 });
  // Its own dynalite, in memory: the control plane's tables are no resources of the data plane.
  controlPlane = await startControlPlaneServer({
    publicKeys: { [signingKey.keyId]: signingKey.publicKeyPem },
  });
  const parameter = variablesOf('Forwarder').SIGNING_KEY_PARAMETER;
  if (typeof parameter !== 'string') throw new Error('the forwarder is given no SIGNING_KEY_PARAMETER');
  // Stored as deploy.md has operators store it: the private key PEM, a SecureString.
  parameterStore = await startParameterStore(REGION, { [parameter]: signingKey.privateKeyPem });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  for (const proxy of proxies.splice(0)) await proxy.close();
  await parameterStore?.close();
  await controlPlane?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The local counterpart of each table, stream and the key, by the stack's logical id. */
function localResources(): Map<string, { names: string[]; arn: string }> {
  const file = (stack as LocalStack).endpointsFile;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${file.region}:${file.accountId}:${resource}`;
  const byId = new Map<string, { names: string[]; arn: string }>();
  for (const [prefix, role] of Object.entries(TABLES)) {
    const name = file.tables[role] as string;
    byId.set(idOf(data, 'AWS::DynamoDB::Table', prefix), {
      names: [name],
      arn: arn('dynamodb', `table/${name}`),
    });
  }
  for (const [prefix, role] of Object.entries(STREAMS)) {
    const name = file.streams[role] as string;
    byId.set(idOf(data, 'AWS::Kinesis::Stream', prefix), {
      names: [name],
      arn: arn('kinesis', `stream/${name}`),
    });
  }
  // A key is named by its ARN or its id.
  const keyId = file.keyArn.split('/').pop() as string;
  byId.set(idOf(data, 'AWS::KMS::Key', 'DataKey'), { names: [file.keyArn, keyId], arn: file.keyArn });
  return byId;
}

/**
 * The forwarder's environment as the stack gives it, with each table, stream and the key replaced by
 * its local counterpart (a Ref by its name, a GetAtt Arn by its ARN) and the control-plane origin by
 * the local one, plus what Lambda sets (`AWS_REGION`) and local mode (the local control plane speaks
 * plain http on loopback). The SDK's own settings go into the process environment, as on Lambda:
 * endpoints of recording proxies for every service, and credentials the emulators accept. A value
 * the test cannot map fails the test.
 */
async function asDeployed(): Promise<{ env: Record<string, string>; calls(): Calls }> {
  const locals = localResources();
  const env: Record<string, string> = { AWS_REGION: REGION, RESIDENCY_LOCAL_MODE: '1' };
  for (const [name, value] of Object.entries(variablesOf('Forwarder'))) {
    // SST's own variables; the forwarder does not read them.
    if (/^(SST_|AWS_NODEJS_)/.test(name)) continue;
    if (name === 'CONTROL_PLANE_ORIGIN') {
      expect(value).toBe(ORIGIN);
      env[name] = (controlPlane as RunningControlPlane).url;
      continue;
    }
    if (typeof value === 'string') {
      env[name] = value;
      continue;
    }
    const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: string; 'Fn::GetAtt'?: string[] };
    const local = locals.get(ref ?? getAtt?.[0] ?? '');
    if (local && ref !== undefined) env[name] = local.names[0] as string;
    else if (local && getAtt?.[1] === 'Arn') env[name] = local.arn;
    else throw new Error(`Forwarder: no local value for ${name}`);
  }
  const byName: Calls = new Map();
  const file = (stack as LocalStack).endpointsFile;
  const targets = {
    DYNAMODB: file.endpoints.dynamodb,
    KINESIS: file.endpoints.kinesis,
    KMS: file.endpoints.kms,
    SSM: (parameterStore as RunningParameterStore).url,
  };
  for (const [service, target] of Object.entries(targets)) {
    const proxy = await startRecordingProxy(target, byName, resourcesNamedBy);
    proxies.push(proxy);
    vi.stubEnv(`AWS_ENDPOINT_URL_${service}`, proxy.url);
  }
  // Any other service: recorded (as a call to no resource of the stack) and refused.
  const elsewhere = await startRecordingProxy(
    (parameterStore as RunningParameterStore).url,
    byName,
    resourcesNamedBy,
  );
  proxies.push(elsewhere);
  vi.stubEnv('AWS_ENDPOINT_URL', elsewhere.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(dataDir, 'no-aws-config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dataDir, 'no-aws-credentials'));
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  const idByName = new Map(
    [...locals].flatMap(([id, { names }]) => names.map((name) => [name, id] as const)),
  );
  return {
    env,
    calls() {
      const byId: Calls = new Map();
      for (const [name, operations] of byName) {
        const id = idByName.get(name) ?? (name.startsWith('arn:') ? name : `${NOT_IN_THE_STACK} ${name}`);
        byId.set(id, new Set([...(byId.get(id) ?? []), ...operations]));
      }
      return byId;
    },
  };
}

/** An outbox message the egress guard blocks: an email address in a public attribute. */
const withEmail = () => recordMessage(bookedRecord({ department: 'p-00088888@example.org' }));

async function runTheForwarder(): Promise<Calls> {
  const { env, calls } = await asDeployed();
  // Cold start, as deployed: the signing key is read from its parameter.
  const wired = await createForwarderFromEnv(env);
  const timeoutSeconds = Number(
    data.json.Resources[idOf(data, 'AWS::Lambda::Function', 'Forwarder')]?.Properties?.Timeout,
  );
  if (!(timeoutSeconds > 0)) throw new Error('the forwarder has no timeout');
  // What the Lambda handler does per invocation, with the full report.
  const invoke = async (event: unknown): Promise<ForwardReport> => {
    const started = Date.now();
    try {
      return await wired.forwarder.process(event, {
        getRemainingTimeInMillis: () => timeoutSeconds * 1000 - (Date.now() - started),
      });
    } finally {
      wired.publishMetrics();
    }
  };
  // Two clean records, forwarded in one signed batch (egress log: sending, then acknowledged), and
  // one blocked into the quarantine: packed in one stream record, one message per line, as the
  // pipeline's outbox writes them.
  const packed = [recordMessage(bookedRecord()), recordMessage(bookedRecord()), withEmail()]
    .map((message) => JSON.stringify(message))
    .join('\n');
  const first = await invoke(kinesisEvent([packed], undefined, 1000n));
  expect(first).toMatchObject({ forwarded: 2, quarantined: 1, failed: 0 });
  expect(first.batches.map((batch) => batch.kind)).toEqual(['acknowledged']);
  // Two blocked messages, one of them malformed with twenty thousand failing paths: the guard names
  // at most 64 of them, so both entries go in one BatchWriteItem, which DynamoDB takes.
  const malformed = {
    kind: 'aggregate',
    aggregate: aggregateCell({
      metrics: {
        waitDays: { sum: 0, min: 0, max: 0, bounds: [1], counts: Array.from({ length: 20_000 }, () => -1) },
      },
    }),
  };
  const second = await invoke(kinesisEvent([withEmail(), malformed], undefined, 2000n));
  expect(second).toMatchObject({ forwarded: 0, quarantined: 2, failed: 0 });
  return calls();
}
let ran: Promise<Calls> | undefined;
/** The forwarder's run, once: both tests read its calls. */
const callsOfTheForwarder = () => {
  ran ??= runTheForwarder();
  return ran;
};

/** Whether an IAM pattern (`*` and `?` wildcards) matches a value. */
function matches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** The actions a list names, per logical id. */
function listedByResource(lists: readonly Uncalled[]): Map<string, Set<string>> {
  const byId = new Map<string, Set<string>>();
  for (const { type, resource, actions } of lists) {
    const id = idOf(data, type, resource);
    byId.set(id, new Set([...(byId.get(id) ?? []), ...actions]));
  }
  return byId;
}

describe('DataPlane stack: the grants of the forwarder, against what its code calls', () => {
  it('grant the forwarder every AWS call it makes, on the resource it makes it on', async () => {
    // Act
    const calls = await callsOfTheForwarder();
    // Assess
    expect([...calls.keys()].filter((id) => id.startsWith(NOT_IN_THE_STACK))).toEqual([]);
    // The run reached the paths it is built to reach: the key from its parameter, the egress log
    // written as the batch starts and ends, blocked records in batches (which `writeBatch` may put
    // one by one: `writeBatchFallbacks`).
    const parameter = parameterArn(variablesOf('Forwarder').SIGNING_KEY_PARAMETER as string);
    expect([...(calls.get(parameter) ?? [])]).toEqual(['ssm:GetParameter']);
    expect([...(calls.get(idOf(data, 'AWS::DynamoDB::Table', 'EgressLog')) ?? [])]).toEqual([
      'dynamodb:PutItem',
    ]);
    expect([...(calls.get(idOf(data, 'AWS::DynamoDB::Table', 'Quarantine')) ?? [])].sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:PutItem',
    ]);
    const granted = grantsByResource(data, 'Forwarder');
    for (const [resource, actions] of calls) {
      for (const action of actions) {
        const allowed = [...granted].some(
          ([pattern, grantedActions]) =>
            matches(pattern, resource) && [...grantedActions].some((g) => matches(g, action)),
        );
        expect(allowed, `Forwarder: ${action} on ${resource}`).toBe(true);
      }
    }
  });

  it('grant the forwarder nothing its code does not call, except what AWS uses for it', async () => {
    // Act
    const calls = await callsOfTheForwarder();
    // Assess
    const granted = grantsByResource(data, 'Forwarder');
    const byAws = listedByResource(USED_BY_AWS_FOR_THE_FORWARDER);
    // Every listed grant is one the stack gives (the list is not stale).
    for (const { type, resource, actions, reason } of USED_BY_AWS_FOR_THE_FORWARDER) {
      const given = granted.get(idOf(data, type, resource));
      for (const action of actions)
        expect(given?.has(action), `${action} on ${resource}: ${reason}`).toBe(true);
    }
    // Exactly what it calls, and what the list explains: nothing unused.
    for (const [pattern, actions] of granted) {
      const used = [...actions].filter((action) =>
        [...calls].some(
          ([resource, called]) => matches(pattern, resource) && [...called].some((c) => matches(action, c)),
        ),
      );
      const explained = new Set([...used, ...(byAws.get(pattern) ?? [])]);
      expect([...actions].sort(), `Forwarder on ${pattern}`).toEqual([...explained].sort());
    }
  });

  it("give the forwarder's role no managed policy but Lambda's basic execution (its logs)", () => {
    // Act
    const role = data.json.Resources[idOf(data, 'AWS::IAM::Role', 'ForwarderServiceRole')];
    // Assess
    expect(role?.Properties?.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        ],
      },
    ]);
  });
});
