import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsServer, type KmsServer, type KmsServerOptions } from '../src/index.ts';

/** The region every test server serves. */
export const REGION = 'ap-south-1';

/** Dummy credentials: kms-local reads the credential scope, never the secret. */
export const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'not-a-secret' };

/** A server on a free port in a fresh temp directory, and a way to tear both down. */
export interface TestKms {
  server: KmsServer;
  dataDir: string;
  client(region?: string): KMSClient;
  stop(): Promise<void>;
}

/** Makes a temp data directory for one test file. */
export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kms-local-test-'));
}

/** Starts kms-local for one test file (call in beforeAll; `stop` in afterAll). */
export async function startTestKms(options: Partial<KmsServerOptions> = {}): Promise<TestKms> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const server = await createKmsServer({ region: REGION, ...options, dataDir });
  const clients: KMSClient[] = [];
  const kms: TestKms = {
    server,
    dataDir,
    client(region = REGION) {
      // kms.server, not server: a test may restart the server on the same dataDir.
      const client = new KMSClient({
        region,
        endpoint: kms.server.url,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      await kms.server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return kms;
}
