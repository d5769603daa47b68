import { ConfigurationError, RegionMismatchError, verifyLiveResidency } from '@residency/aws';
import { describe, expect, it } from 'vitest';
import { readVaultAdminConfig, vaultAdminLiveResources } from '../src/index.ts';

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
