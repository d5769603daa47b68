import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKmsPayloadEncryptor, PayloadDecryptionError, type SealedPayload } from '../src/index.ts';

const keyArn = 'arn:aws:kms:ap-south-1:111122223333:key/kat';
const context = { shardId: 's-1', sequenceNumber: '42', eventSourceARN: 'arn:x' };

/** A KMS double that hands out one fixed data key and counts its calls. */
function fakeKms(dataKey = Buffer.alloc(32, 7)) {
  const calls = { GenerateDataKey: 0, Decrypt: 0 };
  const kms = {
    send: async (command: unknown) => {
      if (command instanceof GenerateDataKeyCommand) {
        calls.GenerateDataKey += 1;
        return { Plaintext: Buffer.from(dataKey), CiphertextBlob: Buffer.from('wrapped-key'), KeyId: keyArn };
      }
      if (command instanceof DecryptCommand) {
        calls.Decrypt += 1;
        return { Plaintext: Buffer.from(dataKey), KeyId: keyArn };
      }
      throw new Error('unexpected command');
    },
  } as unknown as KMSClient;
  return { kms, calls };
}

describe('createKmsPayloadEncryptor', () => {
  it('opens a payload stored before the shared crypto (known answer)', async () => {
    // Prepare: sealed by the previous implementation under the fixed data key.
    const stored: SealedPayload = {
      v: 1,
      alg: 'AES-256-GCM',
      keyArn,
      wrappedKey: Buffer.from('wrapped-key'),
      iv: Buffer.from('ec101a03919a13fb78c21232', 'hex'),
      ciphertext: Buffer.from('96d4a450f363b01b9e983d2f484c59c5883f47', 'hex'),
      tag: Buffer.from('1d447741504530ec4c543784f8a10242', 'hex'),
    };
    const encryptor = createKmsPayloadEncryptor({ kms: fakeKms().kms, keyArn });
    // Act
    const opened = await encryptor.open(stored, context);
    // Assess
    expect(Buffer.from(opened).toString('utf8')).toBe('{"patientId":"P-1"}');
  });

  it('opens only under the context it was sealed with', async () => {
    // Prepare
    const encryptor = createKmsPayloadEncryptor({ kms: fakeKms().kms, keyArn });
    const sealed = await encryptor.seal(Buffer.from('secret'), context);
    // Act
    const opened = await encryptor.open(sealed, context);
    const wrongContext = encryptor.open(sealed, { ...context, sequenceNumber: '43' });
    // Assess
    expect(Buffer.from(opened).toString()).toBe('secret');
    expect(Buffer.from(sealed.ciphertext).toString()).not.toContain('secret');
    await expect(wrongContext).rejects.toThrow(PayloadDecryptionError);
  });

  it('draws a fresh 96-bit IV per payload and rotates the data key after its message budget', async () => {
    // Prepare
    const { kms, calls } = fakeKms();
    const encryptor = createKmsPayloadEncryptor({ kms, keyArn, dataKeyMaxMessages: 2 });
    // Act
    const sealed = await Promise.all([1, 2, 3].map(() => encryptor.seal(Buffer.from('same'), context)));
    // Assess
    expect(new Set(sealed.map((s) => Buffer.from(s.iv).toString('hex'))).size).toBe(3);
    expect(sealed.every((s) => s.iv.length === 12 && s.tag.length === 16)).toBe(true);
    expect(calls.GenerateDataKey).toBe(2);
  });
});
