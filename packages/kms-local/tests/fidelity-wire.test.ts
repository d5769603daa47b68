import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  KMSInternalException,
  KMSServiceException,
  ListKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REGION, startTestKms, type TestKms } from './helpers.ts';

// Fidelity of the AWS JSON 1.1 wire protocol: what a request must look like, and the exact
// error shape the SDK parses into its exception classes.
// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html

const SIGNED = `AWS4-HMAC-SHA256 Credential=AKID/20260101/${REGION}/kms/aws4_request, SignedHeaders=host, Signature=00`;
const JSON_11 = 'application/x-amz-json-1.1';

describe('kms-local fidelity: the AWS JSON 1.1 wire protocol', () => {
  let kms: TestKms;
  let client: KMSClient;
  let keyArn: string;
  let failClock = false;
  const internalErrors: unknown[] = [];

  beforeAll(async () => {
    kms = await startTestKms({
      clock: () => {
        if (failClock) throw new Error('clock failure injected by the test');
        return new Date();
      },
      onInternalError: (error) => internalErrors.push(error),
    });
    client = kms.client();
    keyArn = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });
  afterAll(async () => {
    await kms?.stop();
  });
  afterEach(() => {
    failClock = false;
    vi.restoreAllMocks();
  });

  const post = (body: string, headers: Record<string, string | undefined>) =>
    fetch(kms.server.url, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries({ 'Content-Type': JSON_11, Authorization: SIGNED, ...headers }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
      body,
    });
  const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => expect.fail('expected the call to be refused'),
      (error: unknown) => error,
    );

  describe('error shape', () => {
    it('is exactly {"__type","message"} with x-amzn-ErrorType and the JSON 1.1 content type', async () => {
      const response = await post('{"KeyId":"alias/absent"}', { 'X-Amz-Target': 'TrentService.DescribeKey' });
      const body = (await response.json()) as Record<string, unknown>;

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe(JSON_11);
      expect(response.headers.get('x-amzn-errortype')).toBe('NotFoundException');
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(body).sort()).toEqual(['__type', 'message']);
      expect(body.__type).toBe('NotFoundException');
    });

    it('is parsed by the SDK into the modeled class, with the message and the HTTP status', async () => {
      const error = await rejection(
        client.send(new GenerateDataKeyCommand({ KeyId: 'alias/absent', KeySpec: 'AES_256' })),
      );

      expect(error).toBeInstanceOf(NotFoundException);
      expect((error as NotFoundException).message).toContain('alias/absent');
      expect((error as NotFoundException).$metadata.httpStatusCode).toBe(400);
      expect((error as NotFoundException).$fault).toBe('client');
    });

    it('answers an unexpected failure with HTTP 500 KMSInternalException and reports it', async () => {
      const before = internalErrors.length;
      failClock = true;

      const error = await rejection(client.send(new CreateKeyCommand({})));

      expect(error).toBeInstanceOf(KMSInternalException);
      expect((error as KMSInternalException).$metadata.httpStatusCode).toBe(500);
      expect((error as Error).message).not.toContain('clock failure');
      expect(internalErrors.length).toBe(before + 1);
    });
  });

  describe('requests that are not well-formed KMS JSON 1.1', () => {
    it.each([
      ['application/json'],
      ['application/x-amz-json-1.0'],
      ['application/x-www-form-urlencoded'],
      ['text/plain'],
    ])('refuses Content-Type %s with UnknownOperationException', async (contentType) => {
      const response = await post('{}', {
        'X-Amz-Target': 'TrentService.ListKeys',
        'Content-Type': contentType,
      });

      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it('refuses a request without Content-Type with UnknownOperationException', async () => {
      const response = await fetch(kms.server.url, {
        method: 'POST',
        headers: { 'X-Amz-Target': 'TrentService.ListKeys', Authorization: SIGNED },
        body: new Uint8Array(Buffer.from('{}')),
      });

      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it('accepts the JSON 1.1 content type with parameters, as HTTP allows', async () => {
      const response = await post('{}', {
        'X-Amz-Target': 'TrentService.ListKeys',
        'Content-Type': 'application/x-amz-json-1.1; charset=utf-8',
      });

      expect(response.status).toBe(200);
    });

    it.each([
      [undefined],
      [''],
      ['TrentService.'],
      ['TrentService.Sign'],
      ['DynamoDB_20120810.ListTables'],
      ['trentservice.ListKeys'],
      ['TrentService.toString'],
    ])('refuses X-Amz-Target %s with UnknownOperationException', async (target) => {
      const response = await post('{}', { 'X-Amz-Target': target });

      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it.each([['{not json'], ['[]'], ['"text"'], ['null']])(
      'refuses the body %s with SerializationException',
      async (body) => {
        const response = await post(body, { 'X-Amz-Target': 'TrentService.ListKeys' });

        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
      },
    );

    it('refuses a member of the wrong JSON type with SerializationException, as AWS does', async () => {
      for (const body of [
        `{"KeyId":"${keyArn}","NumberOfBytes":"32"}`,
        `{"KeyId":"${keyArn}","KeySpec":"AES_256","EncryptionContext":{"kind":5}}`,
        `{"KeyId":"${keyArn}","KeySpec":"AES_256","EncryptionContext":["kind","email"]}`,
        `{"KeyId":42,"KeySpec":"AES_256"}`,
      ]) {
        const response = await post(body, { 'X-Amz-Target': 'TrentService.GenerateDataKey' });

        expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
      }
    });

    it('answers a huge request body with a clean 413 error, and keeps serving', async () => {
      const huge = Buffer.alloc(3 * 1024 * 1024, 0x61);

      const error = await rejection(client.send(new EncryptCommand({ KeyId: keyArn, Plaintext: huge })));
      const after = await client.send(new ListKeysCommand({}));

      expect(error).toBeInstanceOf(KMSServiceException);
      expect((error as KMSServiceException).$metadata.httpStatusCode).toBe(413);
      expect(after.Keys?.length).toBeGreaterThan(0);
    });
  });

  describe('secrets stay out of logs and messages', () => {
    it('writes no plaintext, data key or ciphertext to the console or stdio, and echoes none in errors', async () => {
      const written: string[] = [];
      const capture = (...args: unknown[]) => {
        written.push(args.map(String).join(' '));
        return true;
      };
      for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        vi.spyOn(console, method).mockImplementation(capture);
      }
      vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      const secret = Buffer.from('AADHAAR-2345-6789-0123 secret-marker');

      const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyArn, Plaintext: secret }));
      const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 64 }));
      const errors = [
        await rejection(
          client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { secret: 'secret-marker' } })),
        ),
        await rejection(
          client.send(
            new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.concat([secret, Buffer.alloc(4096)]) }),
          ),
        ),
      ];
      vi.restoreAllMocks();

      const needles = [
        'secret-marker',
        secret.toString('base64'),
        Buffer.from(dataKey.Plaintext!).toString('base64'),
        Buffer.from(dataKey.Plaintext!).toString('hex'),
      ];
      const haystack = [...written, ...errors.map((error) => (error as Error).message)].join('\n');
      for (const needle of needles) expect(haystack).not.toContain(needle);
      expect(errors.map((error) => (error as Error).name)).toEqual([
        'InvalidCiphertextException',
        'ValidationException',
      ]);
    });
  });
});
