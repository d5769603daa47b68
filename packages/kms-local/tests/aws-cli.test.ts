import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION, startTestKms, type TestKms } from './helpers.ts';

const run = promisify(execFile);
const CLI_TIMEOUT_MILLIS = 30_000;

async function awsCliAvailable(): Promise<boolean> {
  try {
    await run('aws', ['--version'], { timeout: CLI_TIMEOUT_MILLIS });
    return true;
  } catch {
    return false;
  }
}

// Required in CI (Debian's awscli is installed there): without it the tests run and fail.
// Elsewhere they are left out with a message.
const hasAws = await awsCliAvailable();
const requireAws = Boolean(process.env.CI);
if (!hasAws && !requireAws) console.warn('aws CLI not found on PATH: kms-local AWS CLI tests not run');

// Each CLI call starts a Python process (about 1-2 s here), so the tests get a longer timeout.
describe.runIf(hasAws || requireAws)('kms-local with the AWS CLI', { timeout: 120_000 }, () => {
  let kms: TestKms;
  let workDir: string;
  let keyId: string;
  let hmacKeyId: string;

  async function awsIn(region: string, ...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', kms.server.url, '--region', region, '--output', 'json', 'kms', ...args],
      {
        timeout: CLI_TIMEOUT_MILLIS,
        env: {
          PATH: process.env.PATH,
          HOME: workDir,
          AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
          AWS_SECRET_ACCESS_KEY: 'not-a-secret',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: join(workDir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    return stdout.trim() ? JSON.parse(stdout) : {};
  }
  const aws = (...args: string[]) => awsIn(REGION, ...args);

  async function blobFile(name: string, base64: unknown): Promise<string> {
    const path = join(workDir, name);
    await writeFile(path, Buffer.from(String(base64), 'base64'));
    return `fileb://${path}`;
  }

  beforeAll(async () => {
    kms = await startTestKms();
    workDir = await mkdtemp(join(tmpdir(), 'kms-local-cli-'));
    keyId = String(((await aws('create-key')).KeyMetadata as { Arn: string }).Arn);
    const hmac = await aws('create-key', '--key-spec', 'HMAC_256', '--key-usage', 'GENERATE_VERIFY_MAC');
    hmacKeyId = String((hmac.KeyMetadata as { Arn: string }).Arn);
  });
  afterAll(async () => {
    await kms?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('generate-data-key then decrypt with the right encryption context; the wrong one fails', async () => {
    const generated = await aws(
      'generate-data-key',
      '--key-id',
      keyId,
      '--key-spec',
      'AES_256',
      '--encryption-context',
      'purpose=cli,team=vault',
    );
    const blob = await blobFile('data-key.bin', generated.CiphertextBlob);

    const decrypted = await aws(
      'decrypt',
      '--ciphertext-blob',
      blob,
      '--encryption-context',
      'team=vault,purpose=cli',
    );

    expect(generated.KeyId).toBe(keyId);
    expect(decrypted.Plaintext).toBe(generated.Plaintext);
    expect(decrypted.KeyId).toBe(keyId);
    await expect(
      aws('decrypt', '--ciphertext-blob', blob, '--encryption-context', 'purpose=other'),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('InvalidCiphertextException') });
    await expect(aws('decrypt', '--ciphertext-blob', blob)).rejects.toMatchObject({
      stderr: expect.stringContaining('InvalidCiphertextException'),
    });
  });

  it('encrypt then decrypt round-trips', async () => {
    const plaintextFile = join(workDir, 'plain.txt');
    await writeFile(plaintextFile, 'hello from the cli');

    const encrypted = await aws('encrypt', '--key-id', keyId, '--plaintext', `fileb://${plaintextFile}`);
    const decrypted = await aws(
      'decrypt',
      '--ciphertext-blob',
      await blobFile('enc.bin', encrypted.CiphertextBlob),
    );

    expect(Buffer.from(String(decrypted.Plaintext), 'base64').toString()).toBe('hello from the cli');
  });

  it('generate-mac then verify-mac; a tampered MAC fails with KMSInvalidMacException', async () => {
    const messageFile = join(workDir, 'message.txt');
    await writeFile(messageFile, 'subject-123');
    const message = `fileb://${messageFile}`;

    const generated = await aws(
      'generate-mac',
      '--key-id',
      hmacKeyId,
      '--mac-algorithm',
      'HMAC_SHA_256',
      '--message',
      message,
    );
    const macBytes = Buffer.from(String(generated.Mac), 'base64');
    const verified = await aws(
      'verify-mac',
      '--key-id',
      hmacKeyId,
      '--mac-algorithm',
      'HMAC_SHA_256',
      '--message',
      message,
      '--mac',
      await blobFile('mac.bin', generated.Mac),
    );
    macBytes[0]! ^= 0xff;
    const tamperedMac = await blobFile('bad-mac.bin', macBytes.toString('base64'));

    expect(verified.MacValid).toBe(true);
    await expect(
      aws(
        'verify-mac',
        '--key-id',
        hmacKeyId,
        '--mac-algorithm',
        'HMAC_SHA_256',
        '--message',
        message,
        '--mac',
        tamperedMac,
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('KMSInvalidMacException') });
  });

  it('a CLI configured for another region is refused', async () => {
    await expect(awsIn('eu-west-1', 'list-keys')).rejects.toMatchObject({
      stderr: expect.stringContaining('InvalidSignatureException'),
    });
  });
});
