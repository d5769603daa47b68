import { RegionMismatchError } from '@residency/aws';
import { tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../src/handlers/vault-admin.ts';
import { createVaultAdminHandler, readVaultAdminConfig } from '../src/index.ts';
import { startVaultFixture, type VaultFixture } from './fixtures.ts';
import { memoryVault } from './memory.ts';

const ENV = {
  DATA_REGION: 'ap-south-1',
  AWS_REGION: 'ap-south-1',
  KEY_ARN: 'arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  VAULT_TABLE: 'residency-vault',
  AUDIT_TABLE: 'arn:aws:dynamodb:ap-south-1:123456789012:table/residency-audit',
};

describe('vault-admin handler', () => {
  it('reads its configuration, accepting table names or ARNs in the data region', () => {
    expect(readVaultAdminConfig(ENV)).toMatchObject({
      vaultTable: 'residency-vault',
      auditTable: 'residency-audit',
    });
  });

  it('refuses to run when its region, key or a table is outside the data region (fail closed)', () => {
    expect(() => readVaultAdminConfig({ ...ENV, AWS_REGION: 'us-east-1' })).toThrow(RegionMismatchError);
    expect(() =>
      readVaultAdminConfig({ ...ENV, KEY_ARN: ENV.KEY_ARN.replace('ap-south-1', 'eu-west-1') }),
    ).toThrow(RegionMismatchError);
    expect(() =>
      readVaultAdminConfig({ ...ENV, AUDIT_TABLE: ENV.AUDIT_TABLE.replace('ap-south-1', 'us-west-2') }),
    ).toThrow(RegionMismatchError);
    expect(() => readVaultAdminConfig({ ...ENV, KEY_ARN: undefined })).toThrow(/KEY_ARN/);
  });

  it('maps requests and refusals: invalid request, unauthorized, results', async () => {
    const { vault } = memoryVault();
    const handle = createVaultAdminHandler(vault);
    const token = (await vault.tokenize([{ kind: 'patient', value: 'H-1' }])).get(tokenKey('patient', 'H-1'));
    expect(await handle({ action: 'detokenize', tokens: [token], actor: 'alice' })).toMatchObject({
      ok: false,
      error: 'invalid_request',
      issues: [expect.objectContaining({ path: 'purpose' })],
    });
    expect(await handle({ action: 'detokenize', tokens: [token], actor: 'eve', purpose: 'p' })).toEqual({
      ok: false,
      error: 'unauthorized',
    });
    expect(
      await handle({ action: 'export', subject: { token }, actor: 'alice', purpose: 'DSAR-9' }),
    ).toMatchObject({ ok: true, action: 'export', outcome: 'found', subject: { value: 'H-1' } });
  });
});

describe('vault-admin handler against dynalite + kms-local', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('builds the vault from its environment at cold start and erases by identifier', async () => {
    const tokens = await fx.vault().tokenize([{ kind: 'patient', value: 'H-2' }]);
    Object.assign(process.env, {
      DATA_REGION: fx.region,
      AWS_REGION: fx.region,
      KEY_ARN: fx.keyArn,
      VAULT_TABLE: fx.tables.vault,
      AUDIT_TABLE: fx.tables.audit,
      DETOKENIZE_PRINCIPALS: 'dpo',
      AWS_ENDPOINT_URL_DYNAMODB: fx.endpoints.dynamodb,
      AWS_ENDPOINT_URL_KMS: fx.endpoints.kms,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const result = await handler({
      action: 'erase',
      subject: { identifier: { kind: 'patient', value: 'H-2' } },
      actor: 'dpo',
      purpose: 'erasure request 12',
    });
    expect(result).toMatchObject({
      ok: true,
      action: 'erase',
      outcome: 'erased',
      notice: { tokens: [tokens.get(tokenKey('patient', 'H-2'))] },
    });
  });
});
