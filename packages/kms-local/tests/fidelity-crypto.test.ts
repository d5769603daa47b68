import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  type KMSClient,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKms, type TestKms } from './helpers.ts';

// Fidelity with documented AWS KMS behaviour for the operations the project calls
// (GenerateDataKey, Decrypt, Encrypt, DescribeKey), checked through the real SDK so that each
// error arrives as the exception class a careful client catches.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html (and siblings).

const CONTEXT = { vault: 'residency', kind: 'email', pk: 'bi#1' };

describe('kms-local fidelity: keys, contexts and ciphertexts through @aws-sdk/client-kms', () => {
  let kms: TestKms;
  let client: KMSClient;
  let keyArn: string;
  let keyId: string;
  const aliasName = 'alias/fidelity-vault';

  beforeAll(async () => {
    kms = await startTestKms();
    client = kms.client();
    const created = await client.send(new CreateKeyCommand({}));
    keyArn = created.KeyMetadata!.Arn!;
    keyId = created.KeyMetadata!.KeyId!;
    await client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
  });
  afterAll(async () => {
    await kms?.stop();
  });

  const newKey = async () => (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  const wrap = async (KeyId = keyArn, EncryptionContext: Record<string, string> = CONTEXT) =>
    (await client.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext })))
      .CiphertextBlob!;
  const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => expect.fail('expected the call to be refused'),
      (error: unknown) => error,
    );

  describe('KeyId forms', () => {
    it('accepts key id, key ARN, alias name and alias ARN, and always answers with the full key ARN', async () => {
      const aliasArn = keyArn.replace(/key\/.*$/, aliasName);

      for (const KeyId of [keyId, keyArn, aliasName, aliasArn]) {
        const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 32 }));
        const encrypted = await client.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
        const decrypted = await client.send(
          new DecryptCommand({ KeyId, CiphertextBlob: dataKey.CiphertextBlob }),
        );
        const described = await client.send(new DescribeKeyCommand({ KeyId }));

        expect([dataKey.KeyId, encrypted.KeyId, decrypted.KeyId]).toEqual([keyArn, keyArn, keyArn]);
        expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, Arn: keyArn });
      }
    });

    it("refuses another region's or account's key and alias ARNs, and unknown keys, with NotFoundException", async () => {
      const otherRegion = keyArn.replace(`:${kms.server.region}:`, ':eu-west-1:');
      const otherAccount = keyArn.replace(`:${kms.server.accountId}:`, ':111122223333:');
      const otherRegionAlias = otherRegion.replace(/key\/.*$/, aliasName);
      const unknownId = '11111111-2222-4333-8444-555555555555';

      for (const KeyId of [otherRegion, otherAccount, otherRegionAlias, unknownId, 'alias/none']) {
        const error = await rejection(client.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' })));
        expect(error).toBeInstanceOf(NotFoundException);
      }
    });
  });

  describe('Decrypt', () => {
    it('refuses a wrong, missing, extra or re-cased encryption context with InvalidCiphertextException', async () => {
      const CiphertextBlob = await wrap();

      const contexts: (Record<string, string> | undefined)[] = [
        undefined,
        {},
        { ...CONTEXT, kind: 'phone' },
        { ...CONTEXT, extra: '' },
        { vault: 'residency', kind: 'email', PK: 'bi#1' },
      ];
      for (const EncryptionContext of contexts) {
        const error = await rejection(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })));
        expect(error).toBeInstanceOf(InvalidCiphertextException);
      }
    });

    it('refuses a KeyId other than the key in the ciphertext with IncorrectKeyException', async () => {
      const other = await newKey();
      const CiphertextBlob = await wrap();

      const error = await rejection(
        client.send(new DecryptCommand({ CiphertextBlob, KeyId: other, EncryptionContext: CONTEXT })),
      );

      expect(error).toBeInstanceOf(IncorrectKeyException);
    });

    it("decrypts another key's ciphertext of the same endpoint only under that key", async () => {
      const other = await newKey();
      const CiphertextBlob = await wrap(other);

      const decrypted = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT }));
      const named = await rejection(
        client.send(new DecryptCommand({ CiphertextBlob, KeyId: keyArn, EncryptionContext: CONTEXT })),
      );

      expect(decrypted.KeyId).toBe(other);
      expect(named).toBeInstanceOf(IncorrectKeyException);
    });

    it('answers InvalidCiphertextException (never a 500) for random blobs of any valid length', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 6144 }), async (bytes) => {
          const error = await rejection(client.send(new DecryptCommand({ CiphertextBlob: bytes })));
          expect(error).toBeInstanceOf(InvalidCiphertextException);
        }),
        { numRuns: 40 },
      );
    });

    it('answers InvalidCiphertextException for any single flipped bit of a real blob', async () => {
      const blob = Buffer.from(await wrap());

      await fc.assert(
        fc.asyncProperty(fc.nat({ max: blob.length * 8 - 1 }), async (bit) => {
          const tampered = Buffer.from(blob);
          tampered[bit >> 3]! ^= 1 << (bit & 7);
          const error = await rejection(
            client.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: CONTEXT })),
          );
          expect(error).toBeInstanceOf(InvalidCiphertextException);
        }),
        { numRuns: 60 },
      );
    });

    it('decrypts ciphertexts made before a rotation, and new ones, under the same key ARN', async () => {
      const key = await newKey();
      const before = await wrap(key);

      await client.send(new RotateKeyOnDemandCommand({ KeyId: key }));
      const after = await wrap(key);
      const old = await client.send(
        new DecryptCommand({ CiphertextBlob: before, KeyId: key, EncryptionContext: CONTEXT }),
      );
      const fresh = await client.send(
        new DecryptCommand({ CiphertextBlob: after, KeyId: key, EncryptionContext: CONTEXT }),
      );

      expect([old.KeyId, fresh.KeyId]).toEqual([key, key]);
      expect(old.Plaintext).toHaveLength(32);
      expect(fresh.Plaintext).toHaveLength(32);
    });

    it('binds an encryption context key named __proto__ like any other key', async () => {
      const { CiphertextBlob } = await client.send(
        new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('p') }),
      );
      const body = `{"CiphertextBlob":"${Buffer.from(CiphertextBlob!).toString('base64')}","EncryptionContext":{"__proto__":"x"}}`;

      const response = await fetch(kms.server.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'TrentService.Decrypt',
          Authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/${kms.server.region}/kms/aws4_request, SignedHeaders=host, Signature=00`,
        },
        body,
      });

      expect(await response.json()).toMatchObject({ __type: 'InvalidCiphertextException' });
    });
  });

  describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext parameters', () => {
    it('gives KeySpec AES_256 → 32 bytes, AES_128 → 16, NumberOfBytes 1 and 1024 exactly', async () => {
      const cases = [
        [{ KeySpec: 'AES_256' as const }, 32],
        [{ KeySpec: 'AES_128' as const }, 16],
        [{ NumberOfBytes: 1 }, 1],
        [{ NumberOfBytes: 1024 }, 1024],
      ] as const;

      for (const [spec, length] of cases) {
        const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, ...spec }));
        const bare = await client.send(
          new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyArn, ...spec }),
        );
        const unwrapped = await client.send(new DecryptCommand({ CiphertextBlob: bare.CiphertextBlob }));

        expect(dataKey.Plaintext).toHaveLength(length);
        expect(unwrapped.Plaintext).toHaveLength(length);
        expect(bare).not.toHaveProperty('Plaintext');
        expect(bare.KeyId).toBe(keyArn);
      }
    });

    it('refuses neither or both of KeySpec/NumberOfBytes, NumberOfBytes 0 or 1025, and unknown KeySpecs', async () => {
      const bad = [
        {},
        { KeySpec: 'AES_256', NumberOfBytes: 32 },
        { NumberOfBytes: 0 },
        { NumberOfBytes: 1025 },
        { KeySpec: 'AES_512' },
      ];

      for (const params of bad) {
        for (const Command of [GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand]) {
          const error = await rejection(client.send(new Command({ KeyId: keyArn, ...(params as object) })));
          expect(error).toBeInstanceOf(KMSServiceException);
          expect((error as Error).name).toBe('ValidationException');
        }
      }
    });
  });

  describe('Encrypt limits and algorithms', () => {
    it('encrypts 4096 bytes and refuses 4097 or 0 with ValidationException', async () => {
      const ok = await client.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.alloc(4096, 7) }));

      expect(ok.KeyId).toBe(keyArn);
      for (const Plaintext of [Buffer.alloc(4097, 7), Buffer.alloc(0)]) {
        const error = await rejection(client.send(new EncryptCommand({ KeyId: keyArn, Plaintext })));
        expect((error as Error).name).toBe('ValidationException');
      }
    });

    it('refuses an asymmetric EncryptionAlgorithm on a symmetric key with InvalidKeyUsageException', async () => {
      const CiphertextBlob = await wrap();

      const encrypt = await rejection(
        client.send(
          new EncryptCommand({
            KeyId: keyArn,
            Plaintext: Buffer.from('x'),
            EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
          }),
        ),
      );
      const decrypt = await rejection(
        client.send(
          new DecryptCommand({
            CiphertextBlob,
            EncryptionContext: CONTEXT,
            EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          }),
        ),
      );

      expect(encrypt).toBeInstanceOf(InvalidKeyUsageException);
      expect(decrypt).toBeInstanceOf(InvalidKeyUsageException);
    });
  });

  describe('key states', () => {
    it('refuses a disabled key with DisabledException until it is enabled again', async () => {
      const key = await newKey();
      const CiphertextBlob = await wrap(key);

      await client.send(new DisableKeyCommand({ KeyId: key }));
      const errors = [
        await rejection(client.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }))),
        await rejection(client.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))),
        await rejection(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT }))),
      ];
      await client.send(new EnableKeyCommand({ KeyId: key }));
      const decrypted = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT }));

      for (const error of errors) expect(error).toBeInstanceOf(DisabledException);
      expect(decrypted.KeyId).toBe(key);
    });

    it('refuses a key pending deletion with KMSInvalidStateException; cancelled, it is disabled', async () => {
      const key = await newKey();
      const CiphertextBlob = await wrap(key);

      await client.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
      const pending = [
        await rejection(client.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }))),
        await rejection(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT }))),
      ];
      await client.send(new CancelKeyDeletionCommand({ KeyId: key }));
      const cancelled = await rejection(
        client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT })),
      );

      for (const error of pending) expect(error).toBeInstanceOf(KMSInvalidStateException);
      expect(cancelled).toBeInstanceOf(DisabledException);
    });
  });
});
