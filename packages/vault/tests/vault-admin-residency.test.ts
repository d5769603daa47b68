import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import {
  type AwsClients,
  ConfigurationError,
  createAwsClients,
  RegionMismatchError,
  verifyLiveResidency,
} from '@residency/aws';
import { type RunningEmulator, startDynalite, startKinesalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultAdminFromEnv, readVaultAdminConfig, vaultAdminLiveResources } from '../src/index.ts';
import { createTable, startVaultFixture, type VaultFixture } from './fixtures.ts';

const ACCOUNT = '123456789012';
const ENV = {
  DATA_REGION: 'ap-south-1',
  AWS_REGION: 'ap-south-1',
  KEY_ARN: `arn:aws:kms:ap-south-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  VAULT_TABLE: 'residency-vault',
  AUDIT_TABLE: `arn:aws:dynamodb:ap-south-1:${ACCOUNT}:table/residency-audit`,
  OUTBOX_STREAM_NAME: 'residency-outbox',
};

/** What the live resources report, by the name a Describe call names; anything else is not found. */
interface Reports {
  tables?: Record<string, string>;
  streams?: Record<string, string>;
  key?: { Arn: string; MultiRegion?: boolean };
}

/**
 * Stand-in clients that answer DescribeTable, DescribeStreamSummary and DescribeKey from `reports`,
 * and note every call (operation and the name it asked for).
 */
function describing(reports: Reports) {
  const calls: string[] = [];
  const notFound = (name: string) =>
    Object.assign(new Error(`Requested resource not found: ${name}`), { name: 'ResourceNotFoundException' });
  const client = (answer: (input: Record<string, string>) => unknown) => ({
    send: async (command: { input: Record<string, string>; constructor: { name: string } }) => {
      calls.push(`${command.constructor.name.replace(/Command$/, '')} ${Object.values(command.input)[0]}`);
      return answer(command.input);
    },
  });
  const clients = {
    region: 'ap-south-1',
    dynamodb: client(({ TableName = '' }) => {
      const arn = reports.tables?.[TableName];
      if (!arn) throw notFound(TableName);
      return { Table: { TableArn: arn } };
    }),
    kinesis: client(({ StreamName = '' }) => {
      const arn = reports.streams?.[StreamName];
      if (!arn) throw notFound(StreamName);
      return { StreamDescriptionSummary: { StreamARN: arn } };
    }),
    kms: client(() => ({ KeyMetadata: reports.key })),
  } as unknown as Parameters<typeof verifyLiveResidency>[1];
  return { clients, calls };
}

const table = (name: string, region = 'ap-south-1', account = ACCOUNT) =>
  `arn:aws:dynamodb:${region}:${account}:table/${name}`;
const stream = (name: string, region = 'ap-south-1', account = ACCOUNT) =>
  `arn:aws:kinesis:${region}:${account}:stream/${name}`;
const inRegion: Reports = {
  tables: { 'residency-vault': table('residency-vault'), 'residency-audit': table('residency-audit') },
  streams: { 'residency-outbox': stream('residency-outbox') },
  key: { Arn: ENV.KEY_ARN, MultiRegion: false },
};

describe('vault-admin cold start: the live residency check', () => {
  it('describes the vault and audit tables, the outbox stream and the key, by the names its calls use', async () => {
    // Prepare
    const { clients, calls } = describing(inRegion);
    // Act
    const live = await verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients);
    // Assess
    expect(calls.sort()).toEqual([
      'DescribeKey arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'DescribeStreamSummary residency-outbox',
      'DescribeTable residency-audit',
      'DescribeTable residency-vault',
    ]);
    expect(Object.keys(live).sort()).toEqual(['AUDIT_TABLE', 'KEY_ARN', 'OUTBOX_STREAM_NAME', 'VAULT_TABLE']);
  });

  it('fails closed on a table that reports another region, naming its setting', async () => {
    const { clients } = describing({
      ...inRegion,
      tables: { ...inRegion.tables, 'residency-audit': table('residency-audit', 'eu-west-1') },
    });
    const refused = verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients);
    await expect(refused).rejects.toThrow(RegionMismatchError);
    await expect(refused).rejects.toThrow(/^AUDIT_TABLE table/);
  });

  it('fails closed on an outbox stream of another account: a name carries no account, its live ARN does', async () => {
    const { clients } = describing({
      ...inRegion,
      streams: { 'residency-outbox': stream('residency-outbox', 'ap-south-1', '210987654321') },
    });
    const refused = verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients);
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toMatchObject({ setting: 'OUTBOX_STREAM_NAME' });
  });

  it('fails closed on a key that reports itself multi-Region', async () => {
    const { clients } = describing({ ...inRegion, key: { Arn: ENV.KEY_ARN, MultiRegion: true } });
    await expect(
      verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients),
    ).rejects.toMatchObject({ name: 'ConfigurationError', setting: 'KEY_ARN' });
  });

  it('holds each table and stream given by ARN to that ARN, and describes it by the name in it', async () => {
    // Prepare: AUDIT_TABLE is given by ARN (ENV), the outbox stream too.
    const config = readVaultAdminConfig({ ...ENV, OUTBOX_STREAM_NAME: stream('residency-outbox') });
    // Act
    const resources = vaultAdminLiveResources(config);
    // Assess
    expect(config.resourceArns).toEqual({
      AUDIT_TABLE: table('residency-audit'),
      OUTBOX_STREAM_NAME: stream('residency-outbox'),
    });
    expect(resources.tables).toEqual({
      VAULT_TABLE: { name: 'residency-vault' },
      AUDIT_TABLE: { name: 'residency-audit', arn: table('residency-audit') },
    });
    expect(resources.streams).toEqual({
      OUTBOX_STREAM_NAME: { name: 'residency-outbox', arn: stream('residency-outbox') },
    });
  });

  it('fails closed on a key that reports another ARN than KEY_ARN names', async () => {
    // Prepare: the same account and region, another key.
    const other = ENV.KEY_ARN.replace('1234abcd-12ab', '9999abcd-12ab');
    const { clients } = describing({ ...inRegion, key: { Arn: other, MultiRegion: false } });
    // Act
    const refused = verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients);
    // Assess
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toMatchObject({ setting: 'KEY_ARN' });
    await expect(refused).rejects.toThrow(/^KEY_ARN: the key reports the ARN .*, not the configured one/);
  });

  it('fails with the SDK error when a resource cannot be described (not found, access denied)', async () => {
    const { clients } = describing({ ...inRegion, streams: {} });
    await expect(
      verifyLiveResidency(vaultAdminLiveResources(readVaultAdminConfig(ENV)), clients),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('vault-admin cold start: the static checks before any call', () => {
  it('refuses a KEY_ARN that is not the full ARN of a single-Region key', () => {
    for (const keyArn of [
      'arn:aws:kms:ap-south-1:123456789012:alias/residency',
      'arn:aws:kms:ap-south-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    ]) {
      expect(() => readVaultAdminConfig({ ...ENV, KEY_ARN: keyArn })).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', setting: 'KEY_ARN' }),
      );
    }
  });

  it('refuses table and stream ARNs of another account than the key', () => {
    expect(() =>
      readVaultAdminConfig({
        ...ENV,
        OUTBOX_STREAM_NAME: stream('residency-outbox', 'ap-south-1', '210987654321'),
      }),
    ).toThrow(expect.objectContaining({ name: 'ConfigurationError', setting: 'OUTBOX_STREAM_NAME' }));
  });
});

describe('vault-admin cold start: configured ARNs against dynalite + kms-local + kinesalite', () => {
  // The fixture's emulators, and a DynamoDB and a Kinesis of another account holding tables and a
  // stream of the same names: the calls reach those by name when their endpoints are configured.
  const OTHER_ACCOUNT = '111111111111';
  let fx: VaultFixture;
  let otherDynamodb: RunningEmulator;
  let otherKinesis: RunningEmulator;
  let other: AwsClients;
  beforeAll(async () => {
    fx = await startVaultFixture({ outbox: true });
    [otherDynamodb, otherKinesis] = await Promise.all([
      startDynalite({ region: fx.region, accountId: OTHER_ACCOUNT }),
      startKinesalite({ region: fx.region, accountId: OTHER_ACCOUNT }),
    ]);
    other = createAwsClients({
      region: fx.region,
      endpoints: { dynamodb: otherDynamodb.url, kinesis: otherKinesis.url },
    });
    await createTable(other.dynamodb, fx.tables.vault);
    await createTable(other.dynamodb, fx.tables.audit);
    await other.kinesis.send(new CreateStreamCommand({ StreamName: fx.outboxStream, ShardCount: 1 }));
  });
  afterAll(async () => {
    other?.destroy();
    await otherDynamodb?.close();
    await otherKinesis?.close();
    await fx?.close();
  });

  /** The ARN of a resource of the fixture, in its account. */
  const arnOf = (service: 'dynamodb' | 'kinesis', resource: string) =>
    `arn:aws:${service}:${fx.region}:${fx.accountId}:${resource}`;

  /** The function's environment for the fixture, every table and the stream given by ARN. */
  const byArn = (overrides: Record<string, string> = {}) => ({
    DATA_REGION: fx.region,
    AWS_REGION: fx.region,
    KEY_ARN: fx.keyArn,
    VAULT_TABLE: arnOf('dynamodb', `table/${fx.tables.vault}`),
    AUDIT_TABLE: arnOf('dynamodb', `table/${fx.tables.audit}`),
    OUTBOX_STREAM_NAME: arnOf('kinesis', `stream/${fx.outboxStream}`),
    DETOKENIZE_PRINCIPALS: 'dpo',
    AWS_ENDPOINT_URL_DYNAMODB: fx.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KMS: fx.endpoints.kms,
    AWS_ENDPOINT_URL_KINESIS: fx.endpoints.kinesis as string,
    ...overrides,
  });

  /** Why the cold start refused (fails the test if it started). */
  async function refusal(env: Record<string, string>): Promise<Error & { setting?: string }> {
    const error = await createVaultAdminFromEnv(env).then(
      (admin) => {
        admin.close();
        return undefined;
      },
      (e: unknown) => e as Error & { setting?: string },
    );
    if (!error) throw new Error('expected the cold start to refuse, but it started');
    return error;
  }

  it('starts when every configured ARN is the one the live resource reports, and serves a request', async () => {
    // Prepare
    const env = byArn();
    // Act
    const admin = await createVaultAdminFromEnv(env);
    try {
      const response = await admin.handle({
        action: 'export',
        subject: { identifier: { kind: 'patient', value: 'H-ARN-1' } },
        actor: 'dpo',
        purpose: 'subject access request 7',
      });
      // Assess
      expect(admin.config.resourceArns).toEqual({
        VAULT_TABLE: env.VAULT_TABLE,
        AUDIT_TABLE: env.AUDIT_TABLE,
        OUTBOX_STREAM_NAME: env.OUTBOX_STREAM_NAME,
      });
      expect(response).toMatchObject({ ok: true, action: 'export' });
    } finally {
      admin.close();
    }
  });

  it.each(['VAULT_TABLE', 'AUDIT_TABLE'])(
    'refuses a %s ARN that is not the table its calls reach by name',
    async (setting) => {
      // Prepare: the tables of that name are in another account's DynamoDB.
      const env = byArn({ AWS_ENDPOINT_URL_DYNAMODB: otherDynamodb.url });
      const name = setting === 'VAULT_TABLE' ? fx.tables.vault : fx.tables.audit;
      // Given by name, the other table is not held to an ARN; VAULT_TABLE fails first otherwise.
      if (setting === 'AUDIT_TABLE') Object.assign(env, { VAULT_TABLE: fx.tables.vault });
      // Act
      const error = await refusal(env);
      // Assess
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.setting).toBe(setting);
      expect(error.message).toBe(
        `${setting} names ${arnOf('dynamodb', `table/${name}`)}, but the resource the function's calls ` +
          `reach by the name '${name}' is arn:aws:dynamodb:${fx.region}:${OTHER_ACCOUNT}:table/${name}; refusing to run`,
      );
    },
  );

  it('refuses an OUTBOX_STREAM_NAME ARN that is not the stream its calls reach by name', async () => {
    // Prepare: the stream of that name is in another account's Kinesis.
    const env = byArn({ AWS_ENDPOINT_URL_KINESIS: otherKinesis.url });
    // Act
    const error = await refusal(env);
    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('OUTBOX_STREAM_NAME');
    expect(error.message.startsWith(`OUTBOX_STREAM_NAME names ${env.OUTBOX_STREAM_NAME}, but `)).toBe(true);
    expect(error.message).toContain(`is arn:aws:kinesis:${fx.region}:${OTHER_ACCOUNT}:stream/`);
  });

  it('accepts the key by the ARN kms-local reports, and refuses a KEY_ARN of a key it does not hold', async () => {
    // A key ARN of the fixture's account and region that no key has: DescribeKey fails, as in AWS.
    const missing = fx.keyArn.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
    const error = await refusal(byArn({ KEY_ARN: missing }));
    expect(error).toMatchObject({ name: 'NotFoundException' });
  });
});
