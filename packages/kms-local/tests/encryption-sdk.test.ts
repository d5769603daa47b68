import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, REGION, startTestKms, type TestKms } from './helpers.ts';

describe('kms-local with the AWS Encryption SDK for JavaScript (KmsKeyringNode)', () => {
  let kms: TestKms;
  let keyArn: string;
  const regionsAsked: string[] = [];
  beforeAll(async () => {
    kms = await startTestKms();
    keyArn = (await kms.client().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });
  afterAll(async () => {
    await kms?.stop();
  });

  function keyring(): KmsKeyringNode {
    return new KmsKeyringNode({
      generatorKeyId: keyArn,
      // The keyring passes the key ARN's region: the natural place to refuse any other region.
      clientProvider: (region: string) => {
        regionsAsked.push(region);
        if (region !== REGION) throw new Error(`refusing KMS region ${region}`);
        return new KMS({ region, endpoint: kms.server.url, credentials: CREDENTIALS, maxAttempts: 1 });
      },
    });
  }

  it('encrypts and decrypts with REQUIRE_ENCRYPT_REQUIRE_DECRYPT; the encryption context comes back', async () => {
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const encryptionContext = { tenant: 'clinic-7', purpose: 'export' };
    const message = Buffer.from('a clinical note that must stay in region');

    const { result } = await encrypt(keyring(), message, { encryptionContext });
    const decrypted = await decrypt(keyring(), result);

    expect(result.includes(message)).toBe(false);
    expect(decrypted.plaintext.toString()).toBe(message.toString());
    expect(decrypted.messageHeader.encryptionContext).toMatchObject(encryptionContext);
    expect(decrypted.messageHeader.encryptedDataKeys[0]?.providerInfo).toBe(keyArn);
    expect(new Set(regionsAsked)).toEqual(new Set([REGION]));
  });
});
