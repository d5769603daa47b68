import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError, createAwsClients, RegionMismatchError } from '@residency/aws';
import { compositeKey, ensureTable, type RunningEmulator, startDynalite } from '@residency/local';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { liveResourcesOf, verifyForwarderResidency } from '../../src/config/verify-forwarder-residency.ts';
import {
  assertForwarderInRegion,
  createForwarderFromEnv,
  ForwarderEnvSchema,
  generateSigningKeyPair,
} from '../../src/index.ts';
import {
  type FakeParameterStore,
  type ForwarderStack,
  REGION,
  startForwarderStack,
  startParameterStore,
} from '../support/local-aws.ts';

// The forwarder's own stack, a stack of another account (its KMS holds a key of that account), a
// DynamoDB of another region holding tables with the forwarder's names, and the signing key's
// parameter store: all on free loopback ports.
let own: ForwarderStack;
let otherAccount: ForwarderStack;
let otherRegion: RunningEmulator;
let ssm: FakeParameterStore;
const signingKey = generateSigningKeyPair();

beforeAll(async () => {
  [own, otherAccount] = await Promise.all([startForwarderStack(), startForwarderStack('111111111111')]);
  otherRegion = await startDynalite({ region: 'eu-west-1' });
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: otherRegion.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { QUARANTINE_TABLE, EGRESS_LOG_TABLE } = own.resources();
  for (const table of [QUARANTINE_TABLE, EGRESS_LOG_TABLE]) await ensureTable(client, compositeKey(table));
  client.destroy();
  ssm = await startParameterStore(signingKey.privateKeyPem);
}, 60_000);
afterAll(async () => {
  await ssm?.close();
  await otherRegion?.close();
  await Promise.all([own?.stop(), otherAccount?.stop()]);
});
afterEach(() => {
  vi.unstubAllEnvs();
  ssm.calls.length = 0;
  ssm.arn = undefined;
});

/**
 * The forwarder as deployed, but with every resource given by name only (no `*_ARN`), on the own
 * stack: the key read from SSM on loopback, the SDK's endpoints in the environment.
 */
function byName(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  return {
    DATA_REGION: REGION,
    AWS_REGION: REGION,
    ...own.resources(),
    ...own.endpoints(),
    AWS_ENDPOINT_URL_SSM: ssm.url,
    CONTROL_PLANE_ORIGIN: 'https://abc123.lambda-url.eu-central-1.on.aws',
    SIGNING_KEY_PARAMETER: '/p',
    ...overrides,
  };
}

/** As the DataPlane stack configures it: every stream and table also given by its ARN. */
function byArn(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const { OUTBOX_STREAM_NAME, QUARANTINE_TABLE, EGRESS_LOG_TABLE } = own.resources();
  return byName({
    OUTBOX_STREAM_ARN: own.arnOf('kinesis', `stream/${OUTBOX_STREAM_NAME}`),
    QUARANTINE_TABLE_ARN: own.arnOf('dynamodb', `table/${QUARANTINE_TABLE}`),
    EGRESS_LOG_TABLE_ARN: own.arnOf('dynamodb', `table/${EGRESS_LOG_TABLE}`),
    ...overrides,
  });
}

/** Why `act` was refused (fails the test if it was not). */
async function refusal(act: Promise<unknown>): Promise<Error & { setting?: string }> {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('forwarder cold start: the live resources', () => {
  it('refuses a KMS key of another account next to tables given by name, before reading the signing key', async () => {
    // Prepare: the key's ARN names its account, the tables' names none; the static checks pass.
    const env = byName({
      KEY_ARN: otherAccount.file.keyArn,
      AWS_ENDPOINT_URL_KMS: otherAccount.file.endpoints.kms,
    });
    expect(() => assertForwarderInRegion(ForwarderEnvSchema.parse(env))).not.toThrow();
    // Act
    const error = await refusal(createForwarderFromEnv(env));
    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    // Whichever described resource answered first is named; each is in the own account.
    expect(['QUARANTINE_TABLE', 'EGRESS_LOG_TABLE', 'OUTBOX_STREAM_NAME']).toContain(error.setting);
    expect(error.message).toMatch(/^[A-Z_]+ is in account '000000000000' but KEY_ARN in '111111111111'/);
    expect(ssm.calls).toEqual([]);
  });

  it('starts when the key, the tables and the stream are in the data region and one account', async () => {
    await expect(createForwarderFromEnv(byName())).resolves.toBeDefined();
    await expect(createForwarderFromEnv(byArn())).resolves.toBeDefined();
    expect(ssm.calls).toEqual(['AmazonSSM.GetParameter', 'AmazonSSM.GetParameter']);
  });

  it('refuses tables given by name that live in another region', async () => {
    // Act
    const error = await refusal(
      createForwarderFromEnv(byName({ AWS_ENDPOINT_URL_DYNAMODB: otherRegion.url })),
    );
    // Assess
    expect(error).toBeInstanceOf(RegionMismatchError);
    expect(error).toMatchObject({ actualRegion: 'eu-west-1', dataRegion: REGION });
    expect(error.message).toMatch(/^QUARANTINE_TABLE table \(arn:aws:dynamodb:eu-west-1:/);
    expect(ssm.calls).toEqual([]);
  });

  it('refuses an outbox stream given by name in another account', async () => {
    // Act
    const env = byName({ AWS_ENDPOINT_URL_KINESIS: otherAccount.file.endpoints.kinesis });
    const error = await refusal(createForwarderFromEnv(env));
    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(
      /^OUTBOX_STREAM_NAME is in account '111111111111' but KEY_ARN in '000000000000'/,
    );
    expect(ssm.calls).toEqual([]);
  });

  it('refuses a key that reports another ARN than KEY_ARN', async () => {
    // Prepare: the own KMS, its DescribeKey answer rewritten to another key of the same account.
    const env = ForwarderEnvSchema.parse(byName());
    const clients = createAwsClients({ region: REGION, endpoints: own.file.endpoints });
    const otherKey = `arn:aws:kms:${REGION}:000000000000:key/00000000-0000-0000-0000-000000000000`;
    clients.kms.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { KeyMetadata?: { Arn?: string } };
        if (output.KeyMetadata) output.KeyMetadata.Arn = otherKey;
        return result;
      },
      { step: 'initialize' },
    );
    try {
      // Act
      const error = await refusal(verifyForwarderResidency(env, clients));
      // Assess
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(/^KEY_ARN: the key reports the ARN/);
    } finally {
      clients.destroy();
    }
  });
});

describe('forwarder cold start: resources given by ARN', () => {
  it('describes only the key and what is given by name alone', () => {
    const all = liveResourcesOf(ForwarderEnvSchema.parse(byArn()));
    expect(all).toMatchObject({ tables: {}, streams: {}, keyArn: own.file.keyArn });
    const some = liveResourcesOf(ForwarderEnvSchema.parse(byArn({ QUARANTINE_TABLE_ARN: undefined })));
    expect(Object.keys(some.tables)).toEqual(['QUARANTINE_TABLE']);
  });

  it('refuses a table or stream ARN that is not of the table or stream its name setting names', async () => {
    // Prepare
    const otherTable = byArn({ QUARANTINE_TABLE_ARN: own.arnOf('dynamodb', 'table/residency-egress-log') });
    const notAStream = byArn({ OUTBOX_STREAM_ARN: own.arnOf('dynamodb', 'stream/residency-outbox') });
    // Act, Assess
    await expect(createForwarderFromEnv(otherTable)).rejects.toThrow(
      /^QUARANTINE_TABLE_ARN must be the ARN of the table QUARANTINE_TABLE names \('residency-quarantine'\)/,
    );
    await expect(createForwarderFromEnv(notAStream)).rejects.toThrow(/^OUTBOX_STREAM_ARN must be the ARN/);
    expect(ssm.calls).toEqual([]);
  });
});

describe('forwarder cold start: the signing key parameter', () => {
  it('refuses a parameter SSM reports in another account or region, and never shows the key', async () => {
    // Prepare
    ssm.arn = 'arn:aws:ssm:ap-south-1:111111111111:parameter/p';
    // Act
    const otherAccountError = await refusal(createForwarderFromEnv(byName()));
    ssm.arn = 'arn:aws:ssm:eu-west-1:000000000000:parameter/p';
    const otherRegionError = await refusal(createForwarderFromEnv(byName()));
    // Assess
    expect(otherAccountError).toBeInstanceOf(ConfigurationError);
    expect(otherAccountError.setting).toBe('SIGNING_KEY_PARAMETER');
    expect(otherRegionError).toBeInstanceOf(RegionMismatchError);
    expect(otherRegionError.message).toMatch(/^SIGNING_KEY_PARAMETER /);
    for (const error of [otherAccountError, otherRegionError])
      expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('takes a parameter SSM reports in the data region and the key account', async () => {
    ssm.arn = 'arn:aws:ssm:ap-south-1:000000000000:parameter/p';
    await expect(createForwarderFromEnv(byName())).resolves.toBeDefined();
  });

  it('refuses a parameter given by the ARN of another account before any call', async () => {
    const env = byName({ SIGNING_KEY_PARAMETER: 'arn:aws:ssm:ap-south-1:111111111111:parameter/p' });
    await expect(createForwarderFromEnv(env)).rejects.toThrow(
      /^SIGNING_KEY_PARAMETER is in account '111111111111' but KEY_ARN/,
    );
    expect(ssm.calls).toEqual([]);
  });
});
