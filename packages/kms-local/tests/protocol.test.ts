import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKms, type TestKms } from './helpers.ts';

const SIGNED =
  'AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-south-1/kms/aws4_request, SignedHeaders=host, Signature=00';

describe('kms-local wire protocol (AWS JSON 1.1)', () => {
  let kms: TestKms;
  beforeAll(async () => {
    kms = await startTestKms();
  });
  afterAll(async () => {
    await kms?.stop();
  });

  const post = (target: string, body: string, authorization: string | null = SIGNED) =>
    fetch(kms.server.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': target,
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body,
    });

  it('answers errors with HTTP 400, {"__type","message"} and x-amzn-ErrorType', async () => {
    const response = await post('TrentService.DescribeKey', '{"KeyId":"alias/nope"}');

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(await response.json()).toEqual({
      __type: 'NotFoundException',
      message: expect.stringContaining('alias/nope'),
    });
  });

  it('refuses a request without Authorization with MissingAuthenticationTokenException', async () => {
    const response = await post('TrentService.ListKeys', '{}', null);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('refuses a client configured for another region the way AWS does (InvalidSignatureException)', async () => {
    const foreign = kms.client('eu-west-1');

    await expect(foreign.send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('Credential should be scoped to a valid region'),
    });
  });

  it('refuses a credential scoped to another service', async () => {
    const response = await post('TrentService.ListKeys', '{}', SIGNED.replace('/kms/', '/s3/'));

    expect(await response.json()).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('answers unknown operations, non-JSON bodies and DryRun with the right codes', async () => {
    const unknown = await post('TrentService.Sign', '{}');
    const badJson = await post('TrentService.ListKeys', '{not json');
    const dryRun = await post('TrentService.ListKeys', '{"DryRun":true}');

    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(await badJson.json()).toMatchObject({ __type: 'SerializationException' });
    expect(await dryRun.json()).toMatchObject({ __type: 'UnsupportedOperationException' });
  });

  it('counts calls by operation', async () => {
    const client = kms.client();
    const before = kms.server.callCounts()['KMS.ListKeys'] ?? 0;

    await client.send(new ListKeysCommand({}));
    await client.send(new ListKeysCommand({}));

    expect(kms.server.callCounts()['KMS.ListKeys']).toBe(before + 2);
  });
});
