import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parameter store running on loopback. */
export interface RunningParameterStore {
  /** Endpoint to give an SSM client, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * SSM Parameter Store as a function reading its secrets sees it, on loopback (the local stack has
 * none): GetParameter of the SecureStrings it holds, decrypted only when asked (`WithDecryption`),
 * as SSM does, and only for requests signed for `region`. Anything else is refused, so a test that
 * points other services here sees their calls fail.
 *
 * @example
 * const store = await startParameterStore('ap-south-1', { '/residency/dev/forwarder/signing-key': pem });
 * process.env.AWS_ENDPOINT_URL_SSM = store.url;
 * // ...
 * await store.close();
 */
export async function startParameterStore(
  region: string,
  secureStrings: Readonly<Record<string, string>>,
): Promise<RunningParameterStore> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      const inRegion = String(req.headers.authorization).includes(`/${region}/ssm/aws4_request`);
      if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || !inRegion)
        return answer(400, { __type: 'UnrecognizedClientException', message: 'not served here' });
      const { Name, WithDecryption } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Name: string;
        WithDecryption?: boolean;
      };
      const value = secureStrings[Name];
      if (value === undefined) return answer(400, { __type: 'ParameterNotFound', message: Name });
      // Without decryption SSM returns the ciphertext, which no caller can use as the secret.
      const returned =
        WithDecryption === true ? value : Buffer.from(`ciphertext of ${Name}`).toString('base64');
      return answer(200, {
        Parameter: { Name, Type: 'SecureString', Value: returned, Version: 1, DataType: 'text' },
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
