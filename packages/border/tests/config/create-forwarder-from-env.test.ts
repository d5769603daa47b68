import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { forwarderEndpoints } from '../../src/config/forwarder-endpoints.ts';
import {
  BorderConfigurationError,
  createForwarderFromEnv,
  ForwarderEnvSchema,
  generateSigningKeyPair,
} from '../../src/index.ts';
import {
  type FakeParameterStore,
  type ForwarderStack,
  startForwarderStack,
  startParameterStore,
} from '../support/local-aws.ts';

let dir: string;
let keyFile: string;
// The forwarder describes its key, tables and stream at cold start: a local stack serves them.
let stack: ForwarderStack;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forwarder-env-'));
  keyFile = join(dir, 'signing-key.pem');
  await writeFile(keyFile, generateSigningKeyPair().privateKeyPem);
  stack = await startForwarderStack();
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const localEnv = () => stack.localModeEnv(keyFile);

describe('forwarder wiring at cold start', () => {
  it('wires a forwarder from a local-mode environment with a key file', async () => {
    // Prepare
    const env = localEnv();
    // Act
    const wired = await createForwarderFromEnv(env);
    // Assess
    expect(wired.env.CONTROL_PLANE_ORIGIN).toBe('http://127.0.0.1:4010');
    expect(typeof wired.forwarder.handle).toBe('function');
  });

  it('refuses a KMS key or table outside the data region', async () => {
    // Prepare
    const wrongKey = { ...localEnv(), KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/x' };
    const wrongTable = {
      ...localEnv(),
      EGRESS_LOG_TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/t',
    };
    const wrongFunction = { ...localEnv(), AWS_REGION: 'eu-west-1' };
    // Act, Assess
    await expect(createForwarderFromEnv(wrongKey)).rejects.toBeInstanceOf(RegionMismatchError);
    await expect(createForwarderFromEnv(wrongTable)).rejects.toBeInstanceOf(RegionMismatchError);
    await expect(createForwarderFromEnv(wrongFunction)).rejects.toBeInstanceOf(RegionMismatchError);
  });

  it('refuses plain http without local mode, and a key file outside local mode', async () => {
    // Prepare
    const { RESIDENCY_LOCAL_MODE: _local, ...notLocal } = localEnv();
    const httpsNotLocal = { ...notLocal, CONTROL_PLANE_ORIGIN: 'https://cp.example.com' };
    const httpRemote = { ...localEnv(), CONTROL_PLANE_ORIGIN: 'http://cp.example.com' };
    // Act, Assess
    await expect(createForwarderFromEnv(httpsNotLocal)).rejects.toBeInstanceOf(BorderConfigurationError);
    await expect(createForwarderFromEnv(httpRemote)).rejects.toBeInstanceOf(BorderConfigurationError);
  });
});

/** Why `act` was refused (fails the test if it was not). */
async function refusal(act: Promise<unknown>): Promise<Error> {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('forwarder endpoints at cold start', () => {
  let ssm: FakeParameterStore;
  beforeAll(async () => {
    ssm = await startParameterStore(generateSigningKeyPair().privateKeyPem);
  });
  afterAll(async () => {
    await ssm.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    ssm.calls.length = 0;
  });

  /**
   * As deployed: no local mode, the key read from SSM, the SDK's settings in the process
   * environment, and no endpoints of the local stack (a test that lets the live checks run adds them).
   */
  const deployedEnv = () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
    const {
      RESIDENCY_LOCAL_MODE: _local,
      SIGNING_KEY_FILE: _file,
      AWS_ENDPOINT_URL_DYNAMODB: _dynamodb,
      AWS_ENDPOINT_URL_KINESIS: _kinesis,
      AWS_ENDPOINT_URL_KMS: _kms,
      ...env
    } = localEnv();
    return {
      ...env,
      CONTROL_PLANE_ORIGIN: 'https://abc123.lambda-url.eu-central-1.on.aws',
      SIGNING_KEY_PARAMETER: '/p',
    };
  };

  it('reads the signing key through a loopback SSM endpoint (the local stand-in for SSM)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
    await createForwarderFromEnv({ ...deployedEnv(), ...stack.endpoints() });
    expect(ssm.calls).toEqual(['AmazonSSM.GetParameter']);
  });

  it.each([
    ['AWS_ENDPOINT_URL_SSM', 'https://ssm-proxy.attacker.example'],
    ['AWS_ENDPOINT_URL', 'https://collector.attacker.example'],
    ['AWS_ENDPOINT_URL_DYNAMODB', 'http://quarantine-sink.attacker.example'],
    ['AWS_ENDPOINT_URL_KINESIS', 'https://kinesis-proxy.attacker.example'],
    ['AWS_ENDPOINT_URL_KMS', 'https://kms-proxy.attacker.example'],
  ])('refuses %s=%s in the process environment before any call', async (name, value) => {
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
    vi.stubEnv(name, value);
    const error = await refusal(createForwarderFromEnv(deployedEnv()));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(new RegExp(`^${name}: `));
    expect(ssm.calls).toEqual([]);
  });

  it('refuses an SSM endpoint of another region', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', 'https://ssm.eu-central-1.amazonaws.com');
    await expect(createForwarderFromEnv(deployedEnv())).rejects.toBeInstanceOf(RegionMismatchError);
  });

  it('refuses a DYNAMODB_ENDPOINT of another region, off loopback, or carrying a password', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
    const other = { ...deployedEnv(), DYNAMODB_ENDPOINT: 'https://dynamodb.eu-central-1.amazonaws.com' };
    await expect(createForwarderFromEnv(other)).rejects.toBeInstanceOf(RegionMismatchError);
    const sink = { ...deployedEnv(), DYNAMODB_ENDPOINT: 'http://quarantine-sink.attacker.example' };
    await expect(createForwarderFromEnv(sink)).rejects.toThrow(/^DYNAMODB_ENDPOINT: /);
    const secret = { ...deployedEnv(), DYNAMODB_ENDPOINT: 'http://u:hunter2-SECRET@127.0.0.1:8000' };
    const error = await refusal(createForwarderFromEnv(secret));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).not.toContain('hunter2');
    expect(ssm.calls).toEqual([]);
  });

  it('reads SEND_BUDGET_MILLIS in decimal digits only', () => {
    expect(
      ForwarderEnvSchema.parse({ ...deployedEnv(), SEND_BUDGET_MILLIS: '20000' }).SEND_BUDGET_MILLIS,
    ).toBe(20_000);
    for (const value of ['0x10', '1e3', ' 60 ', '1.0', '0'])
      expect(
        ForwarderEnvSchema.safeParse({ ...deployedEnv(), SEND_BUDGET_MILLIS: value }).success,
        value,
      ).toBe(false);
  });

  it('takes a DYNAMODB_ENDPOINT on loopback or of the data region', () => {
    // The endpoints alone: the live checks would call them.
    const env = (endpoint: string) =>
      ForwarderEnvSchema.parse({ ...deployedEnv(), DYNAMODB_ENDPOINT: endpoint });
    for (const endpoint of ['http://127.0.0.1:8000', 'https://dynamodb-fips.ap-south-1.amazonaws.com']) {
      expect(forwarderEndpoints(env(endpoint), {}).dynamodb).toEqual({
        ignoreConfiguredEndpointUrls: true,
        endpoint,
      });
    }
  });

  it('describes the tables through DYNAMODB_ENDPOINT, where the quarantine and egress log are written', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
    const { AWS_ENDPOINT_URL_DYNAMODB: dynamodb, ...others } = stack.endpoints();
    const env = { ...deployedEnv(), ...others, DYNAMODB_ENDPOINT: dynamodb };
    await expect(createForwarderFromEnv(env)).resolves.toBeDefined();
  });
});

describe('forwarder settings at cold start', () => {
  it('refuses a DATA_REGION that is no region, in local mode too', async () => {
    const { AWS_REGION: _region, ...env } = localEnv();
    const garbage = { ...env, DATA_REGION: 'x', KEY_ARN: 'arn:aws:kms:x:1:key/1' };
    await expect(createForwarderFromEnv(garbage)).rejects.toThrow(/^'x' is not a valid AWS region name/);
  });

  it('refuses a KEY_ARN that is not the ARN of a KMS key', async () => {
    const table = { ...localEnv(), KEY_ARN: 'arn:aws:dynamodb:ap-south-1:000000000000:table/t' };
    await expect(createForwarderFromEnv(table)).rejects.toThrow(/^KEY_ARN must be the ARN of a KMS key/);
  });

  it('refuses ARNs of more than one account', async () => {
    const other = {
      ...localEnv(),
      QUARANTINE_TABLE_ARN: 'arn:aws:dynamodb:ap-south-1:999999999999:table/residency-quarantine',
    };
    await expect(createForwarderFromEnv(other)).rejects.toThrow(
      /^QUARANTINE_TABLE_ARN is in account '999999999999' but KEY_ARN/,
    );
  });

  it('refuses an origin with a user name or password, and never prints them', async () => {
    const error = await refusal(
      createForwarderFromEnv({
        ...localEnv(),
        CONTROL_PLANE_ORIGIN: 'https://svc:hunter2-SECRET@cp.example.com',
      }),
    );
    expect(error).toBeInstanceOf(BorderConfigurationError);
    expect(error.message).toMatch(/carries credentials/);
    expect(error.message).not.toMatch(/hunter2|svc/);
  });

  it.each([
    ['a wildcard host', 'https://*.example.com', /"https:\/\/\*\.example\.com" has a wildcard host/],
    [
      'a host in the data region',
      'https://abc123.lambda-url.ap-south-1.on.aws',
      /is an AWS endpoint in the data region ap-south-1; the control plane must run in another region/,
    ],
    [
      'the default port',
      'https://cp.example.com:443',
      /"https:\/\/cp\.example\.com:443" is not written as the origin it names: write "https:\/\/cp\.example\.com"/,
    ],
  ])(
    'refuses an origin with %s when it reads its environment, quoting it as written',
    async (_what, origin, message) => {
      // Prepare
      const env = { ...localEnv(), CONTROL_PLANE_ORIGIN: origin };
      // Act
      const error = await refusal(createForwarderFromEnv(env));
      // Assess: the schema says so, before the transport is built.
      expect(error).toBeInstanceOf(BorderConfigurationError);
      expect(error.message).toMatch(/^invalid forwarder environment/);
      expect(error.message).toMatch(message);
      const parsed = ForwarderEnvSchema.safeParse(env);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['CONTROL_PLANE_ORIGIN']);
    },
  );
});
