import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { describe, expect, it } from 'vitest';
import { ControlPlaneConfigurationError, loadControlPlaneConfig } from '../../src/index.ts';
import { testSigner } from '../fixtures/signing.ts';

const base = () => ({
  CONTROL_REGION: 'eu-central-1',
  AWS_REGION: 'eu-central-1',
  SIGNING_PUBLIC_KEYS: JSON.stringify(testSigner().publicKeys),
  RECORDS_TABLE: 'records',
  AGGREGATES_TABLE: 'aggregates',
  COUNTERS_TABLE: 'counters',
  BATCHES_TABLE: 'batches',
  ALERTS_TABLE: 'alerts',
});

describe('control-plane configuration at cold start', () => {
  it('reads keys, tables and the region', () => {
    // Prepare
    const keys = testSigner().publicKeys;
    const pem = Object.values(keys)[0] as string;
    const env = {
      ...base(),
      SIGNING_PUBLIC_KEYS: JSON.stringify({ ...keys, 'old-1': pem, 'old-2': pem }),
      RETIRED_KEY_IDS: 'old-1, old-2',
      MAX_SKEW_SECONDS: '120',
    };
    // Act
    const config = loadControlPlaneConfig(env);
    // Assess
    expect(config).toMatchObject({
      region: 'eu-central-1',
      retiredKeyIds: ['old-1', 'old-2'],
      maxSkewMillis: 120_000,
    });
    expect(config.tables.records).toBe('records');
    expect(config.retentionDays).toBeUndefined();
  });

  it('refuses a retired key id that names no key (ids are case-sensitive), and retiring every key', () => {
    const env = base();
    const id = Object.keys(JSON.parse(env.SIGNING_PUBLIC_KEYS))[0] as string;
    expect(() => loadControlPlaneConfig({ ...env, RETIRED_KEY_IDS: id.toUpperCase() })).toThrow(
      /RETIRED_KEY_IDS names 1 key id/,
    );
    expect(() => loadControlPlaneConfig({ ...env, RETIRED_KEY_IDS: id })).toThrow(
      /retires every signing key/,
    );
  });

  it.each(['0x10', '1e3', ' 60 ', '1.0'])('refuses MAX_SKEW_SECONDS and RETENTION_DAYS of %j', (value) => {
    expect(() => loadControlPlaneConfig({ ...base(), MAX_SKEW_SECONDS: value })).toThrow(
      ControlPlaneConfigurationError,
    );
    expect(() => loadControlPlaneConfig({ ...base(), RETENTION_DAYS: value })).toThrow(
      ControlPlaneConfigurationError,
    );
  });

  it('reads a retention in days, and refuses one outside 1 to 3650', () => {
    // Act
    const config = loadControlPlaneConfig({ ...base(), RETENTION_DAYS: '400' });
    // Assess
    expect(config.retentionDays).toBe(400);
    for (const days of ['0', '3651', '1.5', 'forever'])
      expect(() => loadControlPlaneConfig({ ...base(), RETENTION_DAYS: days }), days).toThrow(
        ControlPlaneConfigurationError,
      );
  });

  it('refuses to run outside the control region or with a table ARN elsewhere', () => {
    // Prepare
    const wrongFunction = { ...base(), AWS_REGION: 'us-east-1' };
    const wrongTable = {
      ...base(),
      RECORDS_TABLE_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/records',
    };
    // Act, Assess
    expect(() => loadControlPlaneConfig(wrongFunction)).toThrow(RegionMismatchError);
    expect(() => loadControlPlaneConfig(wrongTable)).toThrow(RegionMismatchError);
  });

  it('refuses unusable public keys', () => {
    // Prepare
    const env = { ...base(), SIGNING_PUBLIC_KEYS: '{"k":"not a key"}' };
    // Act, Assess
    expect(() => loadControlPlaneConfig(env)).toThrow(ControlPlaneConfigurationError);
  });

  it('says the control region, not the data region, when it refuses', () => {
    expect(() => loadControlPlaneConfig({ ...base(), AWS_REGION: 'ap-south-1' })).toThrow(
      "control-plane function is in region 'ap-south-1', but the control region is 'eu-central-1'; refusing to run",
    );
  });

  it('refuses table ARNs of more than one account', () => {
    const env = {
      ...base(),
      RECORDS_TABLE_ARN: 'arn:aws:dynamodb:eu-central-1:123456789012:table/records',
      ALERTS_TABLE_ARN: 'arn:aws:dynamodb:eu-central-1:999999999999:table/alerts',
    };
    expect(() => loadControlPlaneConfig(env)).toThrow(/^ALERTS_TABLE_ARN is in account '999999999999'/);
  });

  const pem = (type: 'ed25519' | 'ec', part: 'publicKey' | 'privateKey') => {
    const pair =
      type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return pair[part].export({ type: part === 'publicKey' ? 'spki' : 'pkcs8', format: 'pem' }).toString();
  };

  it.each([
    ['a garbage PEM', '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----'],
    ['a truncated key', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----'],
    ['a P-256 public key', pem('ec', 'publicKey')],
    ['an Ed25519 private key', pem('ed25519', 'privateKey')],
    [
      'a private key with PUBLIC KEY in it',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEISECRET\n-----END PRIVATE KEY-----\n PUBLIC KEY',
    ],
  ])('refuses %s as a signing public key, naming the key id and not the value', (_what, value) => {
    const env = { ...base(), SIGNING_PUBLIC_KEYS: JSON.stringify({ k1: value }) };
    let error: unknown;
    try {
      loadControlPlaneConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ControlPlaneConfigurationError);
    expect((error as Error).message).toMatch(/^SIGNING_PUBLIC_KEYS: key 'k1' /);
    expect((error as Error).message).not.toMatch(/MC4C|MCow|SECRET|garbage/);
  });

  it('takes Ed25519 public keys', () => {
    const key = pem('ed25519', 'publicKey');
    expect(
      loadControlPlaneConfig({ ...base(), SIGNING_PUBLIC_KEYS: JSON.stringify({ k1: key }) }).publicKeys,
    ).toEqual({
      k1: key,
    });
  });

  it('checks the DynamoDB endpoint variables against the control region', () => {
    expect(() =>
      loadControlPlaneConfig({
        ...base(),
        AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb.ap-south-1.amazonaws.com',
      }),
    ).toThrow(/but the control region is 'eu-central-1'/);
    expect(() =>
      loadControlPlaneConfig({ ...base(), AWS_ENDPOINT_URL: 'https://collector.attacker.example' }),
    ).toThrow(ConfigurationError);
    const local = loadControlPlaneConfig({ ...base(), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' });
    expect(local).toMatchObject({ region: 'eu-central-1', dynamodbEndpoint: 'http://127.0.0.1:8000' });
    expect(loadControlPlaneConfig(base())).toMatchObject({
      region: 'eu-central-1',
      dynamodbEndpoint: undefined,
    });
  });
});
