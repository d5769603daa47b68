import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  type KMSClient,
  ReEncryptCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKms, type TestKms } from './helpers.ts';

const CONTEXT = { vault: 'residency', kind: 'email' };

describe('kms-local cryptographic operations through @aws-sdk/client-kms', () => {
  let kms: TestKms;
  let client: KMSClient;
  let keyArn: string;
  beforeAll(async () => {
    kms = await startTestKms();
    client = kms.client();
    keyArn = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });
  afterAll(async () => {
    await kms?.stop();
  });

  it('GenerateDataKey returns a 32-byte key and the full key ARN; Decrypt with the context recovers it', async () => {
    const keyId = keyArn.split('/')[1]!;

    const dataKey = await client.send(
      new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }),
    );
    const decrypted = await client.send(
      new DecryptCommand({
        CiphertextBlob: dataKey.CiphertextBlob,
        EncryptionContext: { kind: 'email', vault: 'residency' },
      }),
    );

    expect(dataKey.KeyId).toBe(keyArn);
    expect(dataKey.Plaintext).toHaveLength(32);
    expect(Buffer.from(decrypted.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it('Decrypt with a wrong, missing or extra encryption context fails with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await client.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 16, EncryptionContext: CONTEXT }),
    );

    for (const EncryptionContext of [undefined, { ...CONTEXT, kind: 'phone' }, { ...CONTEXT, extra: 'x' }]) {
      await expect(
        client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })),
      ).rejects.toMatchObject({
        name: 'InvalidCiphertextException',
      });
    }
  });

  it('Decrypt naming another key fails with IncorrectKeyException; tampered blobs with InvalidCiphertextException', async () => {
    const other = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('hello') }),
    );
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 0x01;

    await expect(client.send(new DecryptCommand({ CiphertextBlob, KeyId: other }))).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
    await expect(client.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a blob') })),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('Encrypt then Decrypt round-trips, with and without KeyId on Decrypt', async () => {
    const plaintext = Buffer.from('patient 42 note');

    const encrypted = await client.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: plaintext, EncryptionContext: CONTEXT }),
    );
    const withKey = await client.send(
      new DecryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        KeyId: keyArn,
        EncryptionContext: CONTEXT,
      }),
    );
    const withoutKey = await client.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: CONTEXT }),
    );

    expect(encrypted).toMatchObject({ KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(Buffer.from(encrypted.CiphertextBlob!).includes(plaintext)).toBe(false);
    expect(Buffer.from(withKey.Plaintext!).toString()).toBe('patient 42 note');
    expect(Buffer.from(withoutKey.Plaintext!).toString()).toBe('patient 42 note');
  });

  it('GenerateDataKeyWithoutPlaintext returns only the wrapped key, which decrypts', async () => {
    const result = await client.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: keyArn,
        KeySpec: 'AES_128',
        EncryptionContext: CONTEXT,
      }),
    );
    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: result.CiphertextBlob, EncryptionContext: CONTEXT }),
    );

    expect(result).not.toHaveProperty('Plaintext');
    expect(result.KeyId).toBe(keyArn);
    expect(decrypted.Plaintext).toHaveLength(16);
  });

  it('GenerateDataKey needs exactly one of KeySpec and NumberOfBytes', async () => {
    await expect(client.send(new GenerateDataKeyCommand({ KeyId: keyArn }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', NumberOfBytes: 32 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('ReEncrypt moves a ciphertext to another key and context', async () => {
    const destination = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const original = await client.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('moving'), EncryptionContext: CONTEXT }),
    );

    const moved = await client.send(
      new ReEncryptCommand({
        CiphertextBlob: original.CiphertextBlob,
        SourceEncryptionContext: CONTEXT,
        DestinationKeyId: destination,
        DestinationEncryptionContext: { purpose: 'moved' },
      }),
    );
    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { purpose: 'moved' } }),
    );

    expect(moved).toMatchObject({ SourceKeyId: keyArn, KeyId: destination });
    expect(decrypted).toMatchObject({ KeyId: destination });
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('moving');
  });

  it('GenerateMac/VerifyMac with an HMAC_256 key; a tampered MAC or message is KMSInvalidMacException', async () => {
    const hmacKey = await client.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    const KeyId = hmacKey.KeyMetadata!.Arn!;
    const Message = Buffer.from('+919876543210');

    const { Mac } = await client.send(
      new GenerateMacCommand({ KeyId, Message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const verified = await client.send(
      new VerifyMacCommand({ KeyId, Message, Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const tamperedMac = Buffer.from(Mac!);
    tamperedMac[0]! ^= 0x80;

    expect(hmacKey.KeyMetadata).toMatchObject({ KeySpec: 'HMAC_256', MacAlgorithms: ['HMAC_SHA_256'] });
    expect(Mac).toHaveLength(32);
    expect(verified).toMatchObject({ MacValid: true, KeyId });
    await expect(
      client.send(new VerifyMacCommand({ KeyId, Message, Mac: tamperedMac, MacAlgorithm: 'HMAC_SHA_256' })),
    ).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
    await expect(
      client.send(
        new VerifyMacCommand({ KeyId, Message: Buffer.from('other'), Mac, MacAlgorithm: 'HMAC_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
  });

  it('refuses to use a key for the other purpose with InvalidKeyUsageException', async () => {
    const hmacKey = await client.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );

    await expect(
      client.send(new EncryptCommand({ KeyId: hmacKey.KeyMetadata!.Arn, Plaintext: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(
      client.send(
        new GenerateMacCommand({ KeyId: keyArn, Message: Buffer.from('x'), MacAlgorithm: 'HMAC_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});
