import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCredentialScope, createKmsServer, KeystoreError, KmsConfigurationError } from '../src/index.ts';
import { makeDataDir, REGION } from './helpers.ts';

const scope = (region: string, service = 'kms') =>
  `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`;

describe('checkCredentialScope', () => {
  it('accepts the configured region and refuses others as AWS does', () => {
    expect(checkCredentialScope(scope(REGION), REGION)).toMatchObject({ region: REGION, service: 'kms' });
    expect(() => checkCredentialScope(scope('eu-west-1'), REGION)).toThrow(/scoped to a valid region/);
    expect(() => checkCredentialScope(scope(REGION, 'sqs'), REGION)).toThrow(/correct service/);
    expect(() => checkCredentialScope(undefined, REGION)).toThrow(/Missing Authentication Token/);
    expect(() => checkCredentialScope('Bearer x', REGION)).toThrow(/Credential/);
  });
});

describe('createKmsServer options and key store preconditions', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await makeDataDir();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a bad region, account or a host that is not loopback', async () => {
    await expect(createKmsServer({ region: 'mars-1', dataDir })).rejects.toMatchObject({ setting: 'region' });
    await expect(createKmsServer({ region: REGION, dataDir, accountId: '12' })).rejects.toBeInstanceOf(
      KmsConfigurationError,
    );
    await expect(createKmsServer({ region: REGION, dataDir, host: '0.0.0.0' })).rejects.toMatchObject({
      setting: 'host',
    });
  });

  it('refuses a master key file readable by others, and one of the wrong size', async () => {
    const loose = join(dataDir, 'loose');
    await mkdir(join(loose, 'kms'), { recursive: true });
    await writeFile(join(loose, 'kms', 'master.key'), Buffer.alloc(32, 1));
    await chmod(join(loose, 'kms', 'master.key'), 0o644);
    const short = join(dataDir, 'short');
    await mkdir(join(short, 'kms'), { recursive: true });
    await writeFile(join(short, 'kms', 'master.key'), Buffer.alloc(16, 1), { mode: 0o600 });

    await expect(createKmsServer({ region: REGION, dataDir: loose })).rejects.toBeInstanceOf(KeystoreError);
    await expect(createKmsServer({ region: REGION, dataDir: short })).rejects.toThrow(/32 bytes/);
  });

  it('refuses a keys.json that does not parse', async () => {
    const broken = join(dataDir, 'broken');
    await mkdir(join(broken, 'kms'), { recursive: true });
    await writeFile(join(broken, 'kms', 'keys.json'), '{"formatVersion":2}');

    await expect(createKmsServer({ region: REGION, dataDir: broken })).rejects.toBeInstanceOf(KeystoreError);
  });
});
