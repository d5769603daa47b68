import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION, startTestKms, type TestKms } from './helpers.ts';

describe('kms-local keys and aliases through @aws-sdk/client-kms', () => {
  let kms: TestKms;
  beforeAll(async () => {
    kms = await startTestKms();
  });
  afterAll(async () => {
    await kms?.stop();
  });

  it('creates a symmetric key and describes it by id, key ARN, alias name and alias ARN', async () => {
    // Prepare
    const client = kms.client();
    const created = await client.send(new CreateKeyCommand({ Description: 'vault envelope key' }));
    const metadata = created.KeyMetadata!;
    const alias = `alias/keys-test-${metadata.KeyId}`;
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: metadata.KeyId }));
    const aliasArn = `arn:aws:kms:${REGION}:000000000000:${alias}`;

    // Act
    const described = await Promise.all(
      [metadata.KeyId!, metadata.Arn!, alias, aliasArn].map((KeyId) =>
        client.send(new DescribeKeyCommand({ KeyId })),
      ),
    );

    // Assess
    expect(metadata.Arn).toBe(`arn:aws:kms:${REGION}:000000000000:key/${metadata.KeyId}`);
    expect(metadata).toMatchObject({
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      MultiRegion: false,
      Description: 'vault envelope key',
    });
    expect(metadata.CreationDate).toBeInstanceOf(Date);
    for (const result of described) expect(result.KeyMetadata?.KeyId).toBe(metadata.KeyId);
  });

  it('lists its keys and aliases, filters aliases by key, and pages with Limit/Marker', async () => {
    const client = kms.client();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const names = ['alias/list-a', 'alias/list-b', 'alias/list-c'].map((n) => `${n}-${key.KeyId}`);
    for (const AliasName of names)
      await client.send(new CreateAliasCommand({ AliasName, TargetKeyId: key.Arn }));

    const keys = await client.send(new ListKeysCommand({ Limit: 1000 }));
    const aliases = await client.send(new ListAliasesCommand({ KeyId: key.KeyId }));
    const first = await client.send(new ListAliasesCommand({ KeyId: key.KeyId, Limit: 2 }));
    const second = await client.send(
      new ListAliasesCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }),
    );

    expect(keys.Keys).toContainEqual({ KeyId: key.KeyId, KeyArn: key.Arn });
    expect(aliases.Aliases?.map((a) => a.AliasName)).toEqual(names);
    expect(aliases.Aliases?.[0]).toMatchObject({
      TargetKeyId: key.KeyId,
      AliasArn: expect.stringContaining(REGION),
    });
    expect(first.Truncated).toBe(true);
    expect([...(first.Aliases ?? []), ...(second.Aliases ?? [])].map((a) => a.AliasName)).toEqual(names);
    expect(second.Truncated).toBe(false);
  });

  it('refuses a duplicate alias with AlreadyExistsException and an unknown one with NotFoundException', async () => {
    const client = kms.client();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const AliasName = `alias/dup-${key.KeyId}`;
    await client.send(new CreateAliasCommand({ AliasName, TargetKeyId: key.KeyId }));

    await expect(
      client.send(new CreateAliasCommand({ AliasName, TargetKeyId: key.KeyId })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await expect(
      client.send(new DescribeKeyCommand({ KeyId: 'alias/does-not-exist' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      client.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('moves and deletes aliases', async () => {
    const client = kms.client();
    const [a, b] = await Promise.all([
      client.send(new CreateKeyCommand({})),
      client.send(new CreateKeyCommand({})),
    ]);
    const AliasName = `alias/moving-${a.KeyMetadata!.KeyId}`;
    await client.send(new CreateAliasCommand({ AliasName, TargetKeyId: a.KeyMetadata!.KeyId }));

    await client.send(new UpdateAliasCommand({ AliasName, TargetKeyId: b.KeyMetadata!.KeyId }));
    const moved = await client.send(new DescribeKeyCommand({ KeyId: AliasName }));
    await client.send(new DeleteAliasCommand({ AliasName }));

    expect(moved.KeyMetadata?.KeyId).toBe(b.KeyMetadata!.KeyId);
    await expect(client.send(new DescribeKeyCommand({ KeyId: AliasName }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('refuses a key ARN of another region as NotFoundException, never serving it', async () => {
    const client = kms.client();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const foreign = key.Arn!.replace(REGION, 'eu-west-1');

    await expect(client.send(new DescribeKeyCommand({ KeyId: foreign }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('refuses Multi-Region keys, asymmetric key specs and mismatched usage', async () => {
    const client = kms.client();

    await expect(client.send(new CreateKeyCommand({ MultiRegion: true }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('Multi-Region'),
    });
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await expect(client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('disables, enables and schedules deletion of keys with AWS state errors', async () => {
    const client = kms.client();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const encryptCall = () =>
      client.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') }));

    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await expect(encryptCall()).rejects.toMatchObject({ name: 'DisabledException' });
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await expect(encryptCall()).resolves.toMatchObject({ KeyId: key.Arn });
    const scheduled = await client.send(
      new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }),
    );
    await expect(encryptCall()).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    const described = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));

    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(described.KeyMetadata?.KeyState).toBe('Disabled');
  });

  it('answers an invalid request with ValidationException naming the field', async () => {
    const client = kms.client();

    await expect(
      client.send(new DescribeKeyCommand({ KeyId: undefined as unknown as string })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'KeyId'"),
    });
    await expect(
      client.send(new ScheduleKeyDeletionCommand({ KeyId: 'x', PendingWindowInDays: 3 })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'PendingWindowInDays'"),
    });
  });
});
