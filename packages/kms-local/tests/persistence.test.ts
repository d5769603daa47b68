import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsServer, KeystoreError } from '../src/index.ts';
import { KeyRecordSchema } from '../src/key-record.ts';
import { loadOrCreateMasterKey } from '../src/master-key.ts';
import { REGION, startTestKms, type TestKms } from './helpers.ts';

const CONTEXT = { table: 'vault' };

async function dataFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('kms-local persistence under dataDir', () => {
  let kms: TestKms;
  let keyArn: string;
  let dataKey: Uint8Array;
  let ciphertextBefore: Uint8Array;
  let ciphertextAfter: Uint8Array;

  beforeAll(async () => {
    kms = await startTestKms();
    const client = kms.client();
    keyArn = (await client.send(new CreateKeyCommand({ Description: 'persist' }))).KeyMetadata!.Arn!;
    await client.send(new CreateAliasCommand({ AliasName: 'alias/persisted', TargetKeyId: keyArn }));
    const generated = await client.send(
      new GenerateDataKeyCommand({
        KeyId: 'alias/persisted',
        KeySpec: 'AES_256',
        EncryptionContext: CONTEXT,
      }),
    );
    dataKey = generated.Plaintext!;
    ciphertextBefore = generated.CiphertextBlob!;
    await client.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    ciphertextAfter = (await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 32 })))
      .CiphertextBlob!;
  });
  afterAll(async () => {
    await kms?.stop();
  });

  it('creates the master key with mode 0600 and its directory with 0700', async () => {
    const master = await stat(join(kms.dataDir, 'kms', 'master.key'));
    const dir = await stat(join(kms.dataDir, 'kms'));

    expect(master.mode & 0o777).toBe(0o600);
    expect(master.size).toBe(32);
    expect(dir.mode & 0o777).toBe(0o700);
  });

  it('never writes a data key or key material in clear (raw, base64 or hex) to any file', async () => {
    const keys = JSON.parse(await readFile(join(kms.dataDir, 'kms', 'keys.json'), 'utf8'));
    const master = await loadOrCreateMasterKey(join(kms.dataDir, 'kms'));
    const secrets: Buffer[] = [Buffer.from(dataKey)];
    for (const raw of keys.keys) {
      const key = KeyRecordSchema.parse(raw);
      for (const m of key.materials) secrets.push(master.unwrap(m.wrapped, `${key.keyId}/${m.version}`));
    }
    master.destroy();

    for (const file of await dataFiles(kms.dataDir)) {
      const content = await readFile(file);
      for (const secret of secrets) {
        expect(content.includes(secret), file).toBe(false);
        expect(content.includes(secret.toString('base64')), file).toBe(false);
        expect(content.includes(secret.toString('hex')), file).toBe(false);
      }
    }
    expect(secrets).toHaveLength(3);
  });

  it('after a restart on the same dataDir keeps keys and aliases, and old ciphertexts decrypt', async () => {
    await kms.server.close();
    kms.server = await createKmsServer({ region: REGION, dataDir: kms.dataDir });
    const client = kms.client();

    const described = await client.send(new DescribeKeyCommand({ KeyId: 'alias/persisted' }));
    const before = await client.send(
      new DecryptCommand({ CiphertextBlob: ciphertextBefore, EncryptionContext: CONTEXT }),
    );
    const after = await client.send(new DecryptCommand({ CiphertextBlob: ciphertextAfter }));

    expect(described.KeyMetadata).toMatchObject({ Arn: keyArn, Description: 'persist' });
    expect(Buffer.from(before.Plaintext!).equals(Buffer.from(dataKey))).toBe(true);
    expect(after.Plaintext).toHaveLength(32);
  });

  it('refuses to serve a dataDir made for another region (fails closed)', async () => {
    await expect(createKmsServer({ region: 'eu-west-1', dataDir: kms.dataDir })).rejects.toBeInstanceOf(
      KeystoreError,
    );
  });
});
