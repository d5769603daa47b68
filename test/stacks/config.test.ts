import { generateKeyPairSync } from 'node:crypto';
import type { App } from 'sst/constructs/App.js';
import { describe, expect, it } from 'vitest';
import {
  assertProducerRolesInAccount,
  loadRegions,
  loadStageConfig,
  planeOf,
  StageConfigError,
} from '../../stacks/lib/config.ts';
import { provideStageConfig, useStageConfig } from '../../stacks/lib/stage.ts';

const DATA_ENV = { RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org' };

describe('stage configuration', () => {
  it('takes the plane from the stage name, else RESIDENCY_PLANE, else fails', () => {
    expect(planeOf('prod-data', {})).toBe('data');
    expect(planeOf('prod-control', {})).toBe('control');
    expect(planeOf('alice', { RESIDENCY_PLANE: 'control' })).toBe('control');
    expect(() => planeOf('alice', {})).toThrow(StageConfigError);
  });

  it('defaults the data region to ap-south-1 and the control region to eu-central-1', () => {
    expect(loadRegions({})).toEqual({ dataRegion: 'ap-south-1', controlRegion: 'eu-central-1' });
    expect(loadRegions({ RESIDENCY_DATA_REGION: 'ap-southeast-1' }).dataRegion).toBe('ap-southeast-1');
    expect(() => loadRegions({ RESIDENCY_DATA_REGION: 'mumbai' })).toThrow(/not an AWS region/);
  });

  it('refuses a control region equal to the data region, for either plane', () => {
    const sameRegion = { RESIDENCY_DATA_REGION: 'ap-south-1', RESIDENCY_CONTROL_REGION: 'ap-south-1' };
    const message =
      'RESIDENCY_CONTROL_REGION: "ap-south-1" is also the data region (RESIDENCY_DATA_REGION); the control plane must run in another region';
    expect(() => loadRegions(sameRegion)).toThrow(message);
    expect(() => loadRegions({ RESIDENCY_CONTROL_REGION: 'ap-south-1' })).toThrow(message);
    expect(() => loadRegions({ RESIDENCY_DATA_REGION: 'eu-central-1' })).toThrow(StageConfigError);
    expect(() => loadStageConfig('prod-data', { ...DATA_ENV, ...sameRegion })).toThrow(message);
    expect(() => loadStageConfig('prod-control', sameRegion)).toThrow(message);
  });

  it('requires the forwarder allowlist as an https origin for a data stage', () => {
    expect(() => loadStageConfig('prod-data', {})).toThrow(/RESIDENCY_CONTROL_PLANE_ORIGIN: required/);
    for (const origin of [
      'http://control.example.org',
      'https://control.example.org/ingest',
      'control.example.org',
    ]) {
      expect(() => loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: origin }), origin).toThrow(
        StageConfigError,
      );
    }
    expect(loadStageConfig('prod-data', DATA_ENV).controlPlaneOrigin).toBe('https://control.example.org');
  });

  it.each([
    ['the default port', 'https://control.example.org:443', 'https://control.example.org'],
    ['an upper-case scheme', 'HTTPS://control.example.org', 'https://control.example.org'],
    ['an upper-case host', 'https://Control.Example.org', 'https://control.example.org'],
    ['an international name', 'https://cоntrol.example.org', 'https://xn--cntrol-wqf.example.org'],
  ])(
    'refuses an origin written with %s, quoting it as written and naming the origin to write',
    (_what, origin, write) => {
      expect(() => loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: origin })).toThrow(
        `RESIDENCY_CONTROL_PLANE_ORIGIN: ${JSON.stringify(origin)} is not written as the origin it names: write "${write}"`,
      );
      expect(loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: write }).controlPlaneOrigin).toBe(
        write,
      );
    },
  );

  it('refuses an origin that is an AWS endpoint of the data region', () => {
    const origin = 'https://abc123.lambda-url.ap-south-1.on.aws';
    expect(() => loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: origin })).toThrow(
      `RESIDENCY_CONTROL_PLANE_ORIGIN: "${origin}" is an AWS endpoint in the data region ap-south-1; the control plane must run in another region`,
    );
    const inControlRegion = 'https://abc123.lambda-url.eu-central-1.on.aws';
    expect(
      loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: inControlRegion }).controlPlaneOrigin,
    ).toBe(inControlRegion);
  });

  it.each(['https://*.example.org', 'https://*'])('refuses the wildcard origin %s at load', (origin) => {
    expect(() => loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: origin })).toThrow(
      `RESIDENCY_CONTROL_PLANE_ORIGIN: ${JSON.stringify(origin)} has a wildcard host`,
    );
  });

  it('refuses an origin with a user name or password, and never prints them', () => {
    for (const origin of [
      'https://svc:hunter2-SECRET@control.example.org',
      'https://svc:hunter2-SECRET@control.example.org/ingest?token=hunter2-SECRET',
      'svc:hunter2-SECRET@control.example.org',
      'https//svc:hunter2-SECRET@control.example.org',
      'http://control.example.org/?token=hunter2-SECRET',
    ]) {
      let error: unknown;
      try {
        loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: origin });
      } catch (e) {
        error = e;
      }
      expect(error, origin).toBeInstanceOf(StageConfigError);
      expect((error as Error).message, origin).not.toMatch(/hunter2|SECRET/);
    }
    expect(() =>
      loadStageConfig('prod-data', { RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://u:p@control.example.org' }),
    ).toThrow('RESIDENCY_CONTROL_PLANE_ORIGIN: "https://***@control.example.org" carries credentials');
  });

  it('requires signing public keys for a control stage', () => {
    expect(() => loadStageConfig('prod-control', {})).toThrow(/RESIDENCY_SIGNING_PUBLIC_KEYS/);
    expect(() => loadStageConfig('prod-control', { RESIDENCY_SIGNING_PUBLIC_KEYS: '{"k":"nope"}' })).toThrow(
      /not an Ed25519 public key/,
    );
    // Shaped like a PEM, but not a key; and a key of another type
    const truncated = JSON.stringify({
      k: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----',
    });
    expect(() => loadStageConfig('prod-control', { RESIDENCY_SIGNING_PUBLIC_KEYS: truncated })).toThrow(
      /"k" is not an Ed25519 public key/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(() =>
      loadStageConfig('prod-control', { RESIDENCY_SIGNING_PUBLIC_KEYS: JSON.stringify({ k: rsa }) }),
    ).toThrow(/not an Ed25519 public key/);
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    expect(
      loadStageConfig('prod-control', { RESIDENCY_SIGNING_PUBLIC_KEYS: JSON.stringify({ k: ed25519 }) })
        .signingPublicKeys,
    ).toContain('BEGIN PUBLIC KEY');
  });

  it('reads the vault capacity: on demand by default, provisioned only with both ranges', () => {
    expect(loadStageConfig('prod-data', DATA_ENV).vaultCapacity).toEqual({ mode: 'on-demand' });
    const provisioned = {
      ...DATA_ENV,
      RESIDENCY_VAULT_CAPACITY: 'provisioned',
      RESIDENCY_VAULT_READ_UNITS: '500-2000',
      RESIDENCY_VAULT_WRITE_UNITS: '2400-3000',
    };
    expect(loadStageConfig('prod-data', provisioned).vaultCapacity).toEqual({
      mode: 'provisioned',
      read: { min: 500, max: 2000 },
      write: { min: 2400, max: 3000 },
    });
    const refused = (env: Record<string, string>, variable: string) =>
      expect(() => loadStageConfig('prod-data', { ...DATA_ENV, ...env }), JSON.stringify(env)).toThrow(
        new RegExp(`^${variable}`),
      );
    refused({ RESIDENCY_VAULT_CAPACITY: 'reserved' }, 'RESIDENCY_VAULT_CAPACITY');
    const { RESIDENCY_VAULT_WRITE_UNITS: _, ...withoutWrite } = provisioned;
    refused(withoutWrite, 'RESIDENCY_VAULT_WRITE_UNITS');
    // A range that is not whole units from 1 up, in order, within the bound.
    for (const range of [
      '0-10',
      '10-5',
      '5',
      '5-',
      '-5',
      '1e3-2e3',
      ' 5-10',
      '5-10 ',
      '0x10-0x20',
      '5.5-10',
      '1-2000000',
    ])
      refused({ ...provisioned, RESIDENCY_VAULT_READ_UNITS: range }, 'RESIDENCY_VAULT_READ_UNITS');
    // Units without provisioned capacity would be silently ignored: refused instead.
    refused({ RESIDENCY_VAULT_WRITE_UNITS: '10-20' }, 'RESIDENCY_VAULT_WRITE_UNITS');
    refused(
      { RESIDENCY_VAULT_CAPACITY: 'on-demand', RESIDENCY_VAULT_READ_UNITS: '10-20' },
      'RESIDENCY_VAULT_READ_UNITS',
    );
  });

  it('reads the vault table class, standard by default', () => {
    expect(loadStageConfig('prod-data', DATA_ENV).vaultTableClass).toBe('standard');
    expect(
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_VAULT_TABLE_CLASS: 'standard-ia' })
        .vaultTableClass,
    ).toBe('standard-ia');
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_VAULT_TABLE_CLASS: 'glacier' }),
    ).toThrow(/RESIDENCY_VAULT_TABLE_CLASS/);
  });

  it('rejects a CDK qualifier that is not letters and digits: it names the deploy role in the key policy', () => {
    for (const qualifier of ['*', '', 'x/../admin', 'abcdefghijk'])
      expect(
        () => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_CDK_QUALIFIER: qualifier }),
        qualifier,
      ).toThrow(/RESIDENCY_CDK_QUALIFIER|CDK bootstrap qualifier/);
    expect(
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_CDK_QUALIFIER: 'abc123' }).cdkQualifier,
    ).toBe('abc123');
  });

  it('rejects a log retention CloudWatch does not offer and out-of-range bounds', () => {
    expect(() => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_LOG_RETENTION_DAYS: '31' })).toThrow(
      /retention/,
    );
    expect(() => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_MAX_RETRY_ATTEMPTS: '-1' })).toThrow(
      StageConfigError,
    );
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_MAX_RECORD_AGE_SECONDS: '0' }),
    ).toThrow(StageConfigError);
    // Lambda takes at most 10,000 records a batch from Kinesis
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_AGGREGATE_RECENT_EVENTS: '200001' }),
    ).toThrow(/RESIDENCY_AGGREGATE_RECENT_EVENTS/);
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_AGGREGATE_RETENTION_DAYS: '1' }),
    ).toThrow(/RESIDENCY_AGGREGATE_RETENTION_DAYS/);
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_QUARANTINE_RETENTION_DAYS: '0' }),
    ).toThrow(/RESIDENCY_QUARANTINE_RETENTION_DAYS/);
    expect(loadStageConfig('prod-data', DATA_ENV).controlRetentionDays).toBe(0);
    expect(
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_CONTROL_RETENTION_DAYS: '365' })
        .controlRetentionDays,
    ).toBe(365);
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_CONTROL_RETENTION_DAYS: '-1' }),
    ).toThrow(/RESIDENCY_CONTROL_RETENTION_DAYS/);
    expect(() => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_INGEST_BATCH_SIZE: '10001' })).toThrow(
      /RESIDENCY_INGEST_BATCH_SIZE/,
    );
    expect(
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_INGEST_BATCHING_WINDOW_SECONDS: '0' })
        .ingestBatchingWindowSeconds,
    ).toBe(0);
    expect(loadStageConfig('prod-data', DATA_ENV).ingestMemoryMegabytes).toBe(1769);
    for (const memory of ['511', '10241', '1769.5']) {
      expect(() => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_INGEST_MEMORY_MB: memory })).toThrow(
        /RESIDENCY_INGEST_MEMORY_MB/,
      );
    }
  });

  it('reads whole numbers only as decimal digits, not as anything Number() would take', () => {
    // Each of these is 4 or 10 to Number(); a typo or a template artefact, not a setting.
    for (const written of [' 4', '4 ', '4.0', '1e1', '0x4', '0b100', '+4', '4_0', '４']) {
      expect(
        () => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_STREAM_SHARDS: written }),
        JSON.stringify(written),
      ).toThrow(/^RESIDENCY_STREAM_SHARDS/);
    }
    expect(loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_STREAM_SHARDS: '4' }).streamShardCount).toBe(
      4,
    );
    expect(
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_STREAM_SHARDS: '04' }).streamShardCount,
    ).toBe(4);
  });

  it('reads detokenize roles as a comma-separated list of role names', () => {
    const config = loadStageConfig('prod-data', {
      ...DATA_ENV,
      RESIDENCY_DETOKENIZE_ROLES: ' auditor, dpo ,',
    });
    expect(config.detokenizeRoleNames).toEqual(['auditor', 'dpo']);
    expect(() =>
      loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_DETOKENIZE_ROLES: 'arn:aws:iam::1:role/x' }),
    ).toThrow(/not an IAM role name/);
  });

  it('reads producer roles as a comma-separated list of role ARNs, none by default', () => {
    expect(loadStageConfig('prod-data', DATA_ENV).producerRoleArns).toEqual([]);
    const config = loadStageConfig('prod-data', {
      ...DATA_ENV,
      RESIDENCY_PRODUCER_ROLES:
        ' arn:aws:iam::123456789012:role/clinicbook ,arn:aws:iam::123456789012:role/apps/payroll,,arn:aws:iam::123456789012:role/clinicbook',
    });
    expect(config.producerRoleArns).toEqual([
      'arn:aws:iam::123456789012:role/clinicbook',
      'arn:aws:iam::123456789012:role/apps/payroll',
    ]);
  });

  it('refuses a producer that is not one IAM role: a name, a wildcard, a user, an account, a session, another partition', () => {
    for (const value of [
      'clinicbook',
      'arn:aws:iam::123456789012:role/*',
      'arn:aws:iam::123456789012:role/app-*',
      'arn:aws:iam::*:role/clinicbook',
      '*',
      'arn:aws:iam::123456789012:user/clinicbook',
      'arn:aws:iam::123456789012:root',
      'arn:aws:sts::123456789012:assumed-role/clinicbook/session',
      'arn:aws:iam::12345678901:role/clinicbook',
      'arn:aws-cn:iam::123456789012:role/clinicbook',
    ]) {
      expect(
        () => loadStageConfig('prod-data', { ...DATA_ENV, RESIDENCY_PRODUCER_ROLES: value }),
        value,
      ).toThrow(/^RESIDENCY_PRODUCER_ROLES: /);
    }
    expect(
      loadStageConfig('prod-data', {
        ...DATA_ENV,
        RESIDENCY_DATA_REGION: 'cn-north-1',
        RESIDENCY_PRODUCER_ROLES: 'arn:aws-cn:iam::123456789012:role/clinicbook',
      }).producerRoleArns,
    ).toHaveLength(1);
  });

  it('refuses producer roles of another account than the stage’s, or when the account is unknown', () => {
    const config = loadStageConfig('prod-data', {
      ...DATA_ENV,
      RESIDENCY_PRODUCER_ROLES: 'arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:role/b',
    });
    expect(() => assertProducerRolesInAccount(config, '123456789012')).toThrow(
      'RESIDENCY_PRODUCER_ROLES: "arn:aws:iam::210987654321:role/b" is a role of account 210987654321, not of the stage\'s account 123456789012',
    );
    expect(() => assertProducerRolesInAccount(config, undefined)).toThrow(/not known at synthesis/);
    const none = loadStageConfig('prod-data', DATA_ENV);
    expect(() => assertProducerRolesInAccount(none, undefined)).not.toThrow();
  });
});

describe('useStageConfig', () => {
  const app = (stage: string, region: string, mode = 'deploy') => ({ stage, region, mode }) as unknown as App;

  it('refuses a data stage deployed anywhere but the data region', () => {
    const wrong = app('prod-data', 'us-east-1');
    provideStageConfig(wrong, loadStageConfig('prod-data', DATA_ENV));
    expect(() => useStageConfig(wrong, 'data')).toThrow(
      /RESIDENCY_DATA_REGION: stage prod-data targets us-east-1/,
    );
    const right = app('prod-data', 'ap-south-1');
    provideStageConfig(right, loadStageConfig('prod-data', DATA_ENV));
    expect(useStageConfig(right, 'data').dataRegion).toBe('ap-south-1');
  });

  it('refuses live Lambda development (sst dev) on a data stage', () => {
    const dev = app('alice-data', 'ap-south-1', 'dev');
    provideStageConfig(dev, loadStageConfig('alice-data', DATA_ENV));
    expect(() => useStageConfig(dev, 'data')).toThrow(
      /sst dev would send data-plane events out of the region/,
    );
  });

  it('refuses to build one plane’s stack in the other plane’s stage', () => {
    const control = app('prod-control', 'eu-central-1');
    provideStageConfig(control, loadStageConfig('prod-control', { RESIDENCY_SIGNING_PUBLIC_KEYS: '{}' }));
    expect(() => useStageConfig(control, 'data')).toThrow(/is a control stage/);
  });
});

describe('sst.config.ts', () => {
  it('turns SST telemetry off and pins each plane to its configured region', async () => {
    delete process.env.SST_TELEMETRY_DISABLED;
    const { default: config } = await import('../../sst.config.ts');
    expect(process.env.SST_TELEMETRY_DISABLED).toBe('1');
    expect(await config.config({ stage: 'prod-data' })).toEqual({ name: 'residency', region: 'ap-south-1' });
    expect(await config.config({ stage: 'prod-control' })).toEqual({
      name: 'residency',
      region: 'eu-central-1',
    });
    expect(() => config.config({ stage: 'prod' })).toThrow(StageConfigError);
  });
});
