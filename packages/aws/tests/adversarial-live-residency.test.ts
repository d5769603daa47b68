import { describe, expect, it } from 'vitest';
import { ConfigurationError, type LiveResources, verifyLiveResidency } from '../src/index.ts';

// A table or stream given by ARN is reached by its name (the name after `table/` or `stream/`), in
// the account of the function's credentials. An ARN of another account, or a stream's ARN given as
// a table, then silently becomes "the table of that name here": the live resource must be the one
// the ARN names.

const REGION = 'ap-south-1';
const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const tableArn = (account: string, name: string) => `arn:aws:dynamodb:${REGION}:${account}:table/${name}`;
const streamArn = (account: string, name: string) => `arn:aws:kinesis:${REGION}:${account}:stream/${name}`;

/** Stand-in clients that describe every resource, by name, as living in `account` of the data region. */
function clientsIn(account: string) {
  return {
    region: REGION,
    dynamodb: {
      send: async (command: { input: { TableName: string } }) => ({
        Table: { TableArn: tableArn(account, command.input.TableName) },
      }),
    },
    kinesis: {
      send: async (command: { input: { StreamName: string } }) => ({
        StreamDescriptionSummary: { StreamARN: streamArn(account, command.input.StreamName) },
      }),
    },
    kms: { send: async () => ({ KeyMetadata: { Arn: KEY, MultiRegion: false } }) },
  } as unknown as Parameters<typeof verifyLiveResidency>[1];
}

function resources(tables: LiveResources['tables'], streams: LiveResources['streams'] = {}): LiveResources {
  return { dataRegion: REGION, keyArn: KEY, tables, streams };
}

describe('verifyLiveResidency: a resource given by ARN', () => {
  it('accepts the live table and stream its ARN names', async () => {
    const live = await verifyLiveResidency(
      resources(
        { VAULT_TABLE: { name: 'vault', arn: tableArn(ACCOUNT, 'vault') } },
        { OUTBOX_STREAM_NAME: { name: 'outbox', arn: streamArn(ACCOUNT, 'outbox') } },
      ),
      clientsIn(ACCOUNT),
    );
    expect(live).toMatchObject({ VAULT_TABLE: tableArn(ACCOUNT, 'vault'), KEY_ARN: KEY });
  });

  it("refuses a table ARN of another account that the calls would read as this account's table", async () => {
    // Prepare: the key is cross-account (allowed by its policy) and reports account 999...; the
    // table ARN names 999... too, so every configured ARN agrees, but the calls reach 123...'s table.
    // (Already refused before: the live ARNs of the key and the table are of two accounts.)
    const other = '999999999999';
    const otherKey = KEY.replace(ACCOUNT, other);
    const clients = clientsIn(ACCOUNT);
    (clients.kms as unknown as { send: () => Promise<unknown> }).send = async () => ({
      KeyMetadata: { Arn: otherKey, MultiRegion: false },
    });
    const given = {
      ...resources({ VAULT_TABLE: { name: 'vault', arn: tableArn(other, 'vault') } }),
      keyArn: otherKey,
    };

    // Act
    const refused = verifyLiveResidency(given, clients);

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refused).rejects.toThrow(/^VAULT_TABLE /);
    await expect(refused).rejects.toMatchObject({ setting: 'VAULT_TABLE' });
  });

  it('refuses a stream ARN given for a table', async () => {
    const refused = verifyLiveResidency(
      resources({ AUDIT_TABLE: { name: 'audit', arn: streamArn(ACCOUNT, 'audit') } }),
      clientsIn(ACCOUNT),
    );
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toThrow(/^AUDIT_TABLE /);
  });

  it('refuses a stream ARN whose live stream differs (a table ARN given as a stream)', async () => {
    const refused = verifyLiveResidency(
      resources({}, { OUTBOX_STREAM_NAME: { name: 'outbox', arn: tableArn(ACCOUNT, 'outbox') } }),
      clientsIn(ACCOUNT),
    );
    await expect(refused).rejects.toMatchObject({
      name: 'ConfigurationError',
      setting: 'OUTBOX_STREAM_NAME',
    });
  });

  it('keeps resources given by name to the region and account checks', async () => {
    await expect(
      verifyLiveResidency(resources({ VAULT_TABLE: { name: 'vault' } }), clientsIn(ACCOUNT)),
    ).resolves.toMatchObject({ VAULT_TABLE: tableArn(ACCOUNT, 'vault') });
    await expect(
      verifyLiveResidency(resources({ VAULT_TABLE: { name: 'vault' } }), clientsIn('999999999999')),
    ).rejects.toThrow(/VAULT_TABLE is in account '999999999999' but KEY_ARN/);
  });
});

describe('verifyLiveResidency: the key', () => {
  it('refuses a key that reports another ARN than KEY_ARN names, in the same account and region', async () => {
    // Prepare: an endpoint that answers DescribeKey for another key (a proxy, a mistaken alias).
    const clients = clientsIn(ACCOUNT);
    const other = KEY.replace('1234abcd-12ab', '9999abcd-12ab');
    (clients.kms as unknown as { send: () => Promise<unknown> }).send = async () => ({
      KeyMetadata: { Arn: other, MultiRegion: false },
    });
    // Act
    const refused = verifyLiveResidency(resources({ VAULT_TABLE: { name: 'vault' } }), clients);
    // Assess
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toMatchObject({ setting: 'KEY_ARN' });
    await expect(refused).rejects.toThrow(
      /^KEY_ARN: the key reports the ARN .*9999abcd.*, not the configured one/,
    );
  });
});
