import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AwsClients,
  assertEndpointInRegion,
  ConfigurationError,
  clientEndpointConfig,
  createAwsClients,
  isAwsEndpointOf,
  isLambdaRuntime,
  LOOPBACK_IN_LAMBDA_OVERRIDE,
  validateTarget,
} from '../src/index.ts';

// What the real SDK v3 does with settings nobody wrote a fixture for: environment variables and
// the shared config file that pick endpoints, regions and endpoint variants, and a local-mode
// endpoint left on in a deployed function.

const REGION = 'ap-south-1';

type AnyClient = AwsClients['kms'] | AwsClients['dynamodb'] | AwsClients['kinesis'];

/**
 * The request a client would put on the wire, after endpoint resolution and signing: the handler
 * is swapped for one that records the request and sends nothing.
 */
async function wireRequestOf(client: AnyClient, command: unknown) {
  // biome-ignore lint/suspicious/noExplicitAny: the resolved config is typed per client.
  const handler = (client.config as any).requestHandler as { handle: (request: unknown) => Promise<unknown> };
  let seen: { protocol: string; hostname: string; headers: Record<string, string> } | undefined;
  handler.handle = async (request) => {
    seen = request as typeof seen;
    throw new Error('stopped before sending');
  };
  // biome-ignore lint/suspicious/noExplicitAny: any command of the client.
  const failure = await (client as any).send(command).catch((error: Error) => error);
  if (!seen) throw new Error(`the client built no request: ${String(failure)}`);
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(seen.headers.authorization ?? '');
  return { host: seen.hostname, protocol: seen.protocol, signingRegion: scope?.[1] };
}

const calls = [
  ['kms', (c: AwsClients) => wireRequestOf(c.kms, new DescribeKeyCommand({ KeyId: 'k' }))],
  ['dynamodb', (c: AwsClients) => wireRequestOf(c.dynamodb, new DescribeTableCommand({ TableName: 't' }))],
  [
    'kinesis',
    (c: AwsClients) => wireRequestOf(c.kinesis, new DescribeStreamSummaryCommand({ StreamName: 's' })),
  ],
] as const;

describe('createAwsClients against the SDK own settings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aws-adversarial-'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('ignores a profile services section, AWS_PROFILE, and an attempt to turn the ignoring off', async () => {
    // Prepare: the shared config file's per-service endpoints, the profile that selects them, and
    // the variable that would tell the SDK to honour configured endpoints again.
    const configFile = join(dir, 'config');
    await writeFile(
      configFile,
      [
        '[profile stray]',
        'region = eu-west-1',
        'aws_access_key_id = AKIDEXAMPLE',
        'aws_secret_access_key = example',
        'services = elsewhere',
        '[services elsewhere]',
        'kms =',
        '  endpoint_url = https://kms.eu-west-1.amazonaws.com',
        'dynamodb =',
        '  endpoint_url = http://127.0.0.1:1',
        'kinesis =',
        '  endpoint_url = https://collector.attacker.example',
        '',
      ].join('\n'),
    );
    vi.stubEnv('AWS_CONFIG_FILE', configFile);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'no-credentials'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_PROFILE', 'stray');
    vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'false');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'https://dynamodb.eu-west-1.amazonaws.com');
    const clients = createAwsClients({ region: REGION });
    try {
      for (const [service, call] of calls) {
        // Act
        const request = await call(clients);
        // Assess: an AWS endpoint of the service in the data region, signed for it.
        expect(
          isAwsEndpointOf(request.host, service, REGION) ||
            request.host.endsWith(`.ddb.${REGION}.amazonaws.com`),
          request.host,
        ).toBe(true);
        expect(request.signingRegion, service).toBe(REGION);
      }
    } finally {
      clients.destroy();
    }
  });

  it('stays in, and signs for, the data region when AWS_REGION and AWS_DEFAULT_REGION say otherwise', async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_DEFAULT_REGION', 'eu-west-1');
    const clients = createAwsClients({ region: REGION });
    try {
      for (const [service, call] of calls) {
        const request = await call(clients);
        expect(request.host, service).toContain(`.${REGION}.`);
        expect(request.signingRegion, service).toBe(REGION);
      }
    } finally {
      clients.destroy();
    }
  });

  it.each([
    ['AWS_USE_FIPS_ENDPOINT', 'true'],
    ['AWS_USE_DUALSTACK_ENDPOINT', 'true'],
  ])('%s=%s picks another AWS endpoint of the data region, never another region', async (name, value) => {
    vi.stubEnv(name, value);
    const clients = createAwsClients({ region: REGION });
    try {
      for (const [service, call] of calls) {
        const request = await call(clients);
        expect(isAwsEndpointOf(request.host, service, REGION), request.host).toBe(true);
        expect(request.protocol).toBe('https:');
        expect(request.signingRegion, service).toBe(REGION);
      }
    } finally {
      clients.destroy();
    }
  });

  it('sends plain http only to the loopback endpoint it was given, never to AWS', async () => {
    const clients = createAwsClients({ region: REGION, endpoints: { kms: 'http://127.0.0.1:9' } });
    try {
      const kms = await wireRequestOf(clients.kms, new DescribeKeyCommand({ KeyId: 'k' }));
      const dynamodb = await wireRequestOf(clients.dynamodb, new DescribeTableCommand({ TableName: 't' }));
      expect(kms).toMatchObject({ host: '127.0.0.1', protocol: 'http:' });
      expect(dynamodb.protocol).toBe('https:');
    } finally {
      clients.destroy();
    }
  });
});

describe('a local-mode endpoint left on in a deployed Lambda function', () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'residency-ingest', AWS_REGION: REGION };
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('tells a Lambda runtime by its reserved variables', () => {
    expect(isLambdaRuntime(lambda)).toBe(true);
    expect(isLambdaRuntime({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
    expect(isLambdaRuntime({ AWS_LAMBDA_FUNCTION_NAME: '' })).toBe(false);
    expect(isLambdaRuntime({ AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' })).toBe(false);
    expect(isLambdaRuntime({})).toBe(false);
  });

  it.each(['http://127.0.0.1:4566', 'https://localhost:4566', 'http://[::1]:8000'])(
    'refuses the loopback endpoint %s, naming the setting and why',
    (endpoint) => {
      let error: (Error & { setting?: string }) | undefined;
      try {
        assertEndpointInRegion(endpoint, REGION, 'kms', {
          setting: 'AWS_ENDPOINT_URL_KMS',
          runtimeEnv: lambda,
        });
      } catch (caught) {
        error = caught as Error & { setting?: string };
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error?.setting).toBe('AWS_ENDPOINT_URL_KMS');
      expect(error?.message).toMatch(/^AWS_ENDPOINT_URL_KMS: .*AWS_LAMBDA_FUNCTION_NAME/);
      expect(error?.message).toContain(LOOPBACK_IN_LAMBDA_OVERRIDE);
    },
  );

  it('refuses it in createAwsClients and clientEndpointConfig, reading the process environment by default', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'residency-ingest');
    expect(() =>
      createAwsClients({ region: REGION, endpoints: { dynamodb: 'http://127.0.0.1:8000' } }),
    ).toThrow(/^endpoints\.dynamodb: .*Lambda/);
    expect(() => validateTarget({ region: REGION, endpoints: { kinesis: 'http://127.0.0.1:4567' } })).toThrow(
      ConfigurationError,
    );
    expect(() =>
      clientEndpointConfig(REGION, 'ssm', 'http://127.0.0.1:1', { setting: 'AWS_ENDPOINT_URL_SSM' }),
    ).toThrow(/^AWS_ENDPOINT_URL_SSM: /);
    // The data region's own AWS endpoints stay allowed in Lambda (FIPS, VPC endpoints).
    expect(() =>
      createAwsClients({
        region: REGION,
        endpoints: { kms: `https://kms-fips.${REGION}.amazonaws.com` },
      }).destroy(),
    ).not.toThrow();
  });

  it(`allows it only with ${'RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA'} exactly 'true' (a local Lambda emulator)`, () => {
    const runtimeEnv = { ...lambda, [LOOPBACK_IN_LAMBDA_OVERRIDE]: 'true' };
    expect(() =>
      assertEndpointInRegion('http://127.0.0.1:4566', REGION, 'kms', { runtimeEnv }),
    ).not.toThrow();
    for (const value of ['1', 'TRUE', 'yes', 'false', '']) {
      const loose = { ...lambda, [LOOPBACK_IN_LAMBDA_OVERRIDE]: value };
      expect(
        () => assertEndpointInRegion('http://127.0.0.1:4566', REGION, 'kms', { runtimeEnv: loose }),
        value,
      ).toThrow(ConfigurationError);
    }
  });

  it('leaves the local runtime alone: outside Lambda, loopback is the local stack', () => {
    expect(() =>
      assertEndpointInRegion('http://127.0.0.1:4566', REGION, 'kms', { runtimeEnv: {} }),
    ).not.toThrow();
    expect(() =>
      createAwsClients(
        { region: REGION, endpoints: { kms: 'http://127.0.0.1:9' } },
        { runtimeEnv: {} },
      ).destroy(),
    ).not.toThrow();
  });
});
