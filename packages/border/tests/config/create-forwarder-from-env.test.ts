import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionMismatchError } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorderConfigurationError, createForwarderFromEnv, generateSigningKeyPair } from '../../src/index.ts';

let dir: string;
let keyFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forwarder-env-'));
  keyFile = join(dir, 'signing-key.pem');
  await writeFile(keyFile, generateSigningKeyPair().privateKeyPem);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const localEnv = () => ({
  DATA_REGION: 'ap-south-1',
  AWS_REGION: 'ap-south-1',
  KEY_ARN: 'arn:aws:kms:ap-south-1:000000000000:key/11111111-2222-3333-4444-555555555555',
  OUTBOX_STREAM_NAME: 'residency-outbox',
  QUARANTINE_TABLE: 'residency-quarantine',
  EGRESS_LOG_TABLE: 'residency-egress-log',
  CONTROL_PLANE_ORIGIN: 'http://127.0.0.1:4010',
  SIGNING_KEY_FILE: keyFile,
  RESIDENCY_LOCAL_MODE: '1',
});

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
