import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngestFromEnv,
  createInMemoryMetrics,
  createWindowCloserFromEnv,
  loadIngestConfig,
  type PipelineEnv,
  silentLogger,
} from '../src/index.ts';

// Misconfigured deployments at the ingest's and the window closer's cold start. Every one must be
// refused with a ConfigurationError (or RegionMismatchError) naming the variable, before any call
// to AWS: every endpoint points at a loopback port nobody listens on, so a check that let one
// through would fail with a connection error instead, never with a ConfigurationError.

const REGION = 'ap-south-1';
const ACCOUNT = '123456789012';
const NOWHERE = 'http://127.0.0.1:9';
const env: PipelineEnv = {
  DATA_REGION: REGION,
  AWS_REGION: REGION,
  KEY_ARN: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  EVENTS_STREAM_NAME: 'residency-events',
  OUTBOX_STREAM_NAME: 'residency-outbox',
  VAULT_TABLE: 'residency-vault',
  AUDIT_TABLE: 'residency-audit',
  AGGREGATES_TABLE: 'residency-aggregates',
  QUARANTINE_TABLE: 'residency-quarantine',
  AWS_ENDPOINT_URL: NOWHERE,
};
const options = { logger: silentLogger, metrics: createInMemoryMetrics() };
const inLambda = { AWS_LAMBDA_FUNCTION_NAME: 'residency-ingest', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

/** The refusal of a cold start: its class, message and setting. */
async function coldStartRefusal(
  start: (e: PipelineEnv, o: typeof options) => Promise<unknown>,
  overrides: PipelineEnv,
): Promise<Error & { setting?: string }> {
  const started = await start({ ...env, ...overrides }, options).then(
    (built) => {
      (built as { close(): void }).close();
      return undefined;
    },
    (error: unknown) => error as Error & { setting?: string },
  );
  if (!started) throw new Error('expected the cold start to refuse, but it started');
  return started;
}

describe('adversarial configuration: local mode left on in a deployed Lambda function', () => {
  let dir: string;
  beforeAll(async () => {
    // A local stack's endpoints file, in region, as `residency up` writes it.
    dir = await mkdtemp(join(tmpdir(), 'residency-adversarial-'));
    const endpoints = { kinesis: NOWHERE, dynamodb: NOWHERE, kms: NOWHERE };
    const file = {
      region: REGION,
      accountId: ACCOUNT,
      endpoints,
      keyArn: env.KEY_ARN,
      streams: {},
      tables: {},
    };
    await writeFile(join(dir, 'endpoints.json'), JSON.stringify(file));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: NOWHERE }],
    ['AWS_ENDPOINT_URL_KMS', { AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_KMS: 'http://localhost:4566' }],
    [
      'AWS_ENDPOINT_URL_DYNAMODB',
      { AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_DYNAMODB: 'http://[::1]:8000' },
    ],
  ])('the ingest refuses a loopback %s', async (setting, overrides) => {
    const error = await coldStartRefusal(createIngestFromEnv, { ...inLambda, ...overrides });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(/Lambda function/);
  });

  it('the ingest and the window closer refuse RESIDENCY_ENDPOINTS_FILE', async () => {
    const overrides = { ...inLambda, AWS_ENDPOINT_URL: undefined, RESIDENCY_ENDPOINTS_FILE: dir };
    for (const start of [createIngestFromEnv, createWindowCloserFromEnv]) {
      const error = await coldStartRefusal(start, overrides);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.setting).toBe('RESIDENCY_ENDPOINTS_FILE');
    }
  });

  it('allows local mode with RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA=true (a local Lambda emulator)', async () => {
    // The override lets the cold start go on to its live checks, which reach the loopback port.
    const error = await coldStartRefusal(createIngestFromEnv, {
      ...inLambda,
      RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA: 'true',
    });
    expect(error).not.toBeInstanceOf(ConfigurationError);
  });
});

describe('adversarial configuration: table and stream settings', () => {
  it.each([
    ['VAULT_TABLE', `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/residency-vault`],
    ['AUDIT_TABLE', `arn:aws:kms:${REGION}:${ACCOUNT}:table/residency-audit`],
    ['OUTBOX_STREAM_NAME', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/residency-outbox`],
    ['QUARANTINE_TABLE', `ARN:aws:dynamodb:us-east-1:${ACCOUNT}:table/residency-quarantine`],
    ['AGGREGATES_TABLE', ` arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/residency-aggregates`],
    ['VAULT_TABLE', 'residency vault'],
    ['VAULT_TABLE', 'ab'],
    ['EVENTS_STREAM_NAME', 'residency/events'],
  ])('refuses %s=%j', async (setting, value) => {
    const error = await coldStartRefusal(createIngestFromEnv, { [setting]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(new RegExp(`^${setting}\\b`));
  });

  it.each([
    ['a trailing space', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/residency-vault `],
    ['a truncated ARN', 'arn:aws:dynamodb'],
    ['the China partition', `arn:aws-cn:dynamodb:${REGION}:${ACCOUNT}:table/residency-vault`],
  ])('refuses a VAULT_TABLE ARN with %s, naming it', (_what, VAULT_TABLE) => {
    expect(() => loadIngestConfig({ ...env, VAULT_TABLE })).toThrow(ConfigurationError);
    expect(() => loadIngestConfig({ ...env, VAULT_TABLE })).toThrow(/^VAULT_TABLE\b/);
  });

  it.each([
    ['aws-us-gov', env.KEY_ARN?.replace('arn:aws:', 'arn:aws-us-gov:')],
    ['aws-iso', env.KEY_ARN?.replace('arn:aws:', 'arn:aws-iso:')],
  ])('refuses a KEY_ARN of the %s partition that carries the data region name', (_what, KEY_ARN) => {
    expect(() => loadIngestConfig({ ...env, KEY_ARN })).toThrow(/^KEY_ARN is in partition/);
  });

  it('accepts ARNs of the right kind in the data region, by the name the calls use', async () => {
    const config = loadIngestConfig({
      ...env,
      VAULT_TABLE: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/residency-vault`,
      OUTBOX_STREAM_NAME: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/residency-outbox`,
    });
    expect(config.tables.VAULT_TABLE?.name).toBe('residency-vault');
    expect(config.streams.OUTBOX_STREAM_NAME?.name).toBe('residency-outbox');
  });
});

describe('adversarial configuration: numbers and empty values', () => {
  it.each([
    ['ALLOWED_LATENESS_SECONDS', ''],
    ['ALLOWED_LATENESS_SECONDS', '  '],
    ['ALLOWED_LATENESS_SECONDS', '-0'],
    ['WINDOW_SECONDS', '1e3'],
    ['WINDOW_SECONDS', '0x3c'],
    ['WINDOW_SECONDS', ' 60 '],
    ['WINDOW_SECONDS', '60.0'],
    ['AGGREGATE_RECENT_EVENTS', '2e4'],
    ['QUARANTINE_RETENTION_DAYS', '30\n'],
  ])('the ingest refuses %s=%j, naming it and not the value', async (setting, value) => {
    const error = await coldStartRefusal(createIngestFromEnv, { [setting]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(setting);
    expect(error.setting).toBe(setting);
  });

  it.each([
    ['CLOSE_GRACE_SECONDS', ''],
    ['K_THRESHOLD', '1e1'],
    // A k of 1 releases every one-person cell: suppression off.
    ['K_THRESHOLD', '1'],
    ['K_THRESHOLD', '0'],
    // Number() would read these; the sampler would round 1e-7 up to 1e-6, ten times the budget.
    ['NOISE_EPSILON', '0x10'],
    ['NOISE_EPSILON', ' 2 '],
    ['NOISE_EPSILON', '1e300'],
    ['NOISE_EPSILON', '0.0000001'],
    ['NOISE_EPSILON', '0'],
    ['NOISE_EPSILON', '101'],
  ])('the window closer refuses %s=%j', async (setting, value) => {
    const error = await coldStartRefusal(createWindowCloserFromEnv, { [setting]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe(setting);
  });

  it.each([
    ['WINDOW_SECONDS', '-1'],
    ['WINDOW_SECONDS', 'NaN'],
    ['WINDOW_SECONDS', 'Infinity'],
    ['WINDOW_SECONDS', '9007199254740993'],
    ['AWS_ENDPOINT_URL', ''],
    ['RESIDENCY_ENDPOINTS_FILE', ''],
    ['DATA_REGION', 'AP-SOUTH-1'],
    ['DATA_REGION', `${REGION} `],
  ])('already refused (regression): %s=%j', async (setting, value) => {
    const error = await coldStartRefusal(createIngestFromEnv, { [setting]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(setting);
  });

  it('already refused (regression): AWS_REGION set to another region than DATA_REGION', async () => {
    const error = await coldStartRefusal(createIngestFromEnv, { AWS_REGION: 'ap-south-2' });
    expect(error).toBeInstanceOf(RegionMismatchError);
  });

  it('still reads plain decimal settings', async () => {
    const config = loadIngestConfig({ ...env, WINDOW_SECONDS: '300', ALLOWED_LATENESS_SECONDS: '0' });
    expect(config).toMatchObject({ windowSeconds: 300, allowedLatenessSeconds: 0 });
  });
});
