import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, LOOPBACK_IN_LAMBDA_OVERRIDE } from '@residency/aws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { assertLocalModeAllowed } from '../../src/config/assert-local-mode-allowed.ts';
import { createForwarderFromEnv, generateSigningKeyPair } from '../../src/index.ts';
import {
  type FakeParameterStore,
  type ForwarderStack,
  startForwarderStack,
  startParameterStore,
} from '../support/local-aws.ts';

// Local mode (plain http to loopback, the signing key from a file, AWS_REGION optional) left on in
// a deployed forwarder: refused in a Lambda function, as the ingest refuses its own local mode,
// unless RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA=true (a local Lambda emulator).

/** What Lambda sets in every function's environment (reserved variables). */
const IN_LAMBDA = {
  AWS_LAMBDA_FUNCTION_NAME: 'residency-forwarder',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
};

/** Why `act` was refused (fails the test if it was not). */
async function refusal(act: Promise<unknown>): Promise<Error & { setting?: string }> {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e as Error & { setting?: string },
  );
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('assertLocalModeAllowed', () => {
  it('refuses local mode in a Lambda function, told by either reserved variable, naming RESIDENCY_LOCAL_MODE', () => {
    for (const runtime of [
      IN_LAMBDA,
      { AWS_LAMBDA_FUNCTION_NAME: 'residency-forwarder' },
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' },
    ]) {
      // Act
      const act = () => assertLocalModeAllowed({ RESIDENCY_LOCAL_MODE: true }, runtime);
      // Assess
      expect(act).toThrow(ConfigurationError);
      expect(act).toThrow(expect.objectContaining({ setting: 'RESIDENCY_LOCAL_MODE' }));
      expect(act).toThrow(new RegExp(`^RESIDENCY_LOCAL_MODE is set .*${LOOPBACK_IN_LAMBDA_OVERRIDE}=true`));
    }
  });

  it('allows a Lambda function without local mode', () => {
    expect(() => assertLocalModeAllowed({ RESIDENCY_LOCAL_MODE: false }, IN_LAMBDA)).not.toThrow();
  });

  it('allows local mode outside a Lambda function', () => {
    for (const runtime of [{}, { AWS_LAMBDA_FUNCTION_NAME: '' }, { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' }]) {
      expect(() => assertLocalModeAllowed({ RESIDENCY_LOCAL_MODE: true }, runtime)).not.toThrow();
    }
  });

  it(`allows local mode in a Lambda function only with ${LOOPBACK_IN_LAMBDA_OVERRIDE} exactly 'true'`, () => {
    const withOverride = (value: string) => ({ ...IN_LAMBDA, [LOOPBACK_IN_LAMBDA_OVERRIDE]: value });
    expect(() => assertLocalModeAllowed({ RESIDENCY_LOCAL_MODE: true }, withOverride('true'))).not.toThrow();
    for (const loose of ['1', 'TRUE', 'yes', '', ' true']) {
      expect(() => assertLocalModeAllowed({ RESIDENCY_LOCAL_MODE: true }, withOverride(loose))).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', setting: 'RESIDENCY_LOCAL_MODE' }),
      );
    }
  });
});

describe('forwarder cold start: local mode in a Lambda function', () => {
  let dir: string;
  let keyFile: string;
  let stack: ForwarderStack;
  let ssm: FakeParameterStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forwarder-local-mode-'));
    keyFile = join(dir, 'signing-key.pem');
    const { privateKeyPem } = generateSigningKeyPair();
    await writeFile(keyFile, privateKeyPem);
    stack = await startForwarderStack();
    ssm = await startParameterStore(privateKeyPem);
  });
  afterAll(async () => {
    await ssm?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    // The process itself is no Lambda function, whatever ran the tests; each test says what it is.
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    vi.stubEnv('AWS_EXECUTION_ENV', undefined);
    vi.stubEnv(LOOPBACK_IN_LAMBDA_OVERRIDE, undefined);
    // The SSM client finds its credentials in the process environment, as on Lambda.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    ssm.calls.length = 0;
  });

  /** Local mode against the local stack: plain http to a loopback origin, the key from a file. */
  const localEnv = () => stack.localModeEnv(keyFile);

  /** As deployed (no local mode, the key from SSM, an https origin), against the local stack. */
  const deployedEnv = () => {
    const { RESIDENCY_LOCAL_MODE: _local, SIGNING_KEY_FILE: _file, ...env } = localEnv();
    return {
      ...env,
      CONTROL_PLANE_ORIGIN: 'https://abc123.lambda-url.eu-central-1.on.aws',
      SIGNING_KEY_PARAMETER: '/p',
      AWS_ENDPOINT_URL_SSM: ssm.url,
    };
  };

  it('refuses local mode in a Lambda function before any call, without reading the key file', async () => {
    // Prepare: every endpoint is a loopback port nobody listens on, and the key file does not exist,
    // so a check that let the cold start go on would fail otherwise.
    const nowhere = 'http://127.0.0.1:9';
    const env = {
      ...localEnv(),
      ...IN_LAMBDA,
      AWS_ENDPOINT_URL_DYNAMODB: nowhere,
      AWS_ENDPOINT_URL_KINESIS: nowhere,
      AWS_ENDPOINT_URL_KMS: nowhere,
      SIGNING_KEY_FILE: join(dir, 'no-such-key.pem'),
    };
    // Act
    const error = await refusal(createForwarderFromEnv(env));
    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('RESIDENCY_LOCAL_MODE');
    expect(error.message).toMatch(/but this is a Lambda function/);
  });

  it('refuses local mode when the process is a Lambda function, though the environment given leaves that out', async () => {
    // Prepare: Lambda's reserved variables are in the process environment only.
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', IN_LAMBDA.AWS_LAMBDA_FUNCTION_NAME);
    // Act
    const error = await refusal(createForwarderFromEnv(localEnv()));
    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('RESIDENCY_LOCAL_MODE');
  });

  it('lets a Lambda function without local mode past the check: only its loopback endpoints are refused', async () => {
    // Prepare: the deployed settings, but the local stack's (loopback) endpoints.
    const env = { ...deployedEnv(), ...IN_LAMBDA };
    // Act
    const error = await refusal(createForwarderFromEnv(env));
    // Assess: the endpoint check refuses, as it did before local mode was checked; no SSM call.
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('AWS_ENDPOINT_URL_DYNAMODB');
    expect(error.message).toMatch(/^AWS_ENDPOINT_URL_DYNAMODB: .*Lambda function/);
    expect(ssm.calls).toEqual([]);
  });

  it('starts a Lambda function without local mode in a local Lambda emulator, the key read from SSM', async () => {
    // Prepare
    const env = { ...deployedEnv(), ...IN_LAMBDA, [LOOPBACK_IN_LAMBDA_OVERRIDE]: 'true' };
    // Act
    const wired = await createForwarderFromEnv(env);
    // Assess
    expect(wired.env.RESIDENCY_LOCAL_MODE).toBe(false);
    expect(ssm.calls).toEqual(['AmazonSSM.GetParameter']);
  });

  it('starts in local mode outside a Lambda function', async () => {
    // Act
    const wired = await createForwarderFromEnv(localEnv());
    // Assess
    expect(wired.env.RESIDENCY_LOCAL_MODE).toBe(true);
    expect(wired.env.CONTROL_PLANE_ORIGIN).toBe('http://127.0.0.1:4010');
  });

  it(`starts in local mode in a Lambda function with ${LOOPBACK_IN_LAMBDA_OVERRIDE}=true (a local Lambda emulator)`, async () => {
    // Prepare
    const env = { ...localEnv(), ...IN_LAMBDA, [LOOPBACK_IN_LAMBDA_OVERRIDE]: 'true' };
    // Act
    const wired = await createForwarderFromEnv(env);
    // Assess
    expect(wired.env.RESIDENCY_LOCAL_MODE).toBe(true);
    expect(ssm.calls).toEqual([]);
  });

  it(`refuses local mode in a Lambda function with ${LOOPBACK_IN_LAMBDA_OVERRIDE} other than exactly 'true'`, async () => {
    const env = { ...localEnv(), ...IN_LAMBDA, [LOOPBACK_IN_LAMBDA_OVERRIDE]: '1' };
    const error = await refusal(createForwarderFromEnv(env));
    expect(error).toMatchObject({ name: 'ConfigurationError', setting: 'RESIDENCY_LOCAL_MODE' });
  });
});
