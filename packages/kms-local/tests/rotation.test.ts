import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlobHeader } from '../src/blob.ts';
import { startTestKms, type TestKms } from './helpers.ts';

const CONTEXT = { purpose: 'rotation-test' };
const DAY_MILLIS = 86_400_000;

describe('kms-local key rotation', () => {
  let kms: TestKms;
  let nowMillis = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    kms = await startTestKms({ clock: () => new Date(nowMillis) });
  });
  afterAll(async () => {
    await kms?.stop();
  });

  it('keeps old material: ciphertexts from before an on-demand rotation still decrypt, new ones use the new version', async () => {
    const client = kms.client();
    const KeyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const encryptText = (text: string) =>
      client.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(text), EncryptionContext: CONTEXT }));

    const before = await encryptText('before');
    const rotated = await client.send(new RotateKeyOnDemandCommand({ KeyId }));
    const after = await encryptText('after');
    const decrypted = await Promise.all(
      [before, after].map((e) =>
        client.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: CONTEXT })),
      ),
    );
    const rotations = await client.send(new ListKeyRotationsCommand({ KeyId }));

    expect(rotated.KeyId).toBe(KeyId);
    expect(readBlobHeader(Buffer.from(before.CiphertextBlob!)).materialVersion).toBe(1);
    expect(readBlobHeader(Buffer.from(after.CiphertextBlob!)).materialVersion).toBe(2);
    expect(decrypted.map((d) => Buffer.from(d.Plaintext!).toString())).toEqual(['before', 'after']);
    expect(rotations.Rotations).toEqual([
      expect.objectContaining({ KeyId, RotationType: 'ON_DEMAND', RotationDate: expect.any(Date) }),
    ]);
  });

  it('reports rotation status, and rotates automatically once the period has passed', async () => {
    const client = kms.client();
    const KeyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;

    const initial = await client.send(new GetKeyRotationStatusCommand({ KeyId }));
    await client.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    const enabled = await client.send(new GetKeyRotationStatusCommand({ KeyId }));
    const old = await client.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('old') }));
    nowMillis += 91 * DAY_MILLIS;
    const fresh = await client.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('fresh') }));
    await client.send(new DisableKeyRotationCommand({ KeyId }));
    const disabled = await client.send(new GetKeyRotationStatusCommand({ KeyId }));
    const oldPlaintext = await client.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));

    expect(initial).toMatchObject({ KeyId, KeyRotationEnabled: false });
    expect(enabled).toMatchObject({ KeyId, KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect(enabled.NextRotationDate).toBeInstanceOf(Date);
    expect(readBlobHeader(Buffer.from(fresh.CiphertextBlob!)).materialVersion).toBe(2);
    expect(disabled.KeyRotationEnabled).toBe(false);
    expect(Buffer.from(oldPlaintext.Plaintext!).toString()).toBe('old');
  });

  it('refuses rotation of HMAC keys with UnsupportedOperationException', async () => {
    const client = kms.client();
    const hmac = await client.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );

    await expect(
      client.send(new RotateKeyOnDemandCommand({ KeyId: hmac.KeyMetadata!.KeyId })),
    ).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
  });
});
