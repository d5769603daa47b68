import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AwsClients, ConfigurationError, clientEndpointConfig, createAwsClients } from '../src/index.ts';

const REGION = 'ap-south-1';

/** Where a client's next request would go: the request is stopped before it is sent. */
async function destinationOf(
  client: AwsClients['kms'] | AwsClients['dynamodb'] | AwsClients['kinesis'],
  command: unknown,
) {
  const stop = () => async (args: { request: { protocol: string; hostname: string; port?: number } }) => {
    const { protocol, hostname, port } = args.request;
    throw Object.assign(new Error('stopped before sending'), {
      destination: `${protocol}//${hostname}${port ? `:${port}` : ''}`,
    });
  };
  // biome-ignore lint/suspicious/noExplicitAny: the middleware stack is typed per client.
  (client.middlewareStack as any).add(stop, { step: 'finalizeRequest', priority: 'low' });
  // biome-ignore lint/suspicious/noExplicitAny: any command of the client.
  const error = (await (client as any).send(command).catch((e: unknown) => e)) as { destination?: string };
  return error.destination ?? String(error);
}

describe('createAwsClients', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("ignores the SDK's endpoint settings in the environment and the shared config file", async () => {
    // Prepare: every place the SDK would otherwise take an endpoint from, pointing elsewhere.
    const dir = await mkdtemp(join(tmpdir(), 'aws-config-'));
    const configFile = join(dir, 'config');
    await writeFile(configFile, '[default]\nendpoint_url = https://config-file.attacker.example\n');
    vi.stubEnv('AWS_CONFIG_FILE', configFile);
    vi.stubEnv('AWS_ENDPOINT_URL', 'https://collector.attacker.example');
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', 'https://kms-proxy.attacker.example');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
    const clients = createAwsClients({ region: REGION });
    try {
      // Act
      const kms = await destinationOf(clients.kms, new DescribeKeyCommand({ KeyId: 'k' }));
      const dynamodb = await destinationOf(clients.dynamodb, new DescribeTableCommand({ TableName: 't' }));
      const kinesis = await destinationOf(
        clients.kinesis,
        new DescribeStreamSummaryCommand({ StreamName: 's' }),
      );
      // Assess: the regional endpoints of the data region.
      expect(kms).toBe('https://kms.ap-south-1.amazonaws.com');
      expect(dynamodb).toMatch(/^https:\/\/(\d{12}\.ddb|dynamodb)\.ap-south-1\.amazonaws\.com$/);
      expect(kinesis).toBe('https://kinesis.ap-south-1.amazonaws.com');
    } finally {
      clients.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sends to the validated endpoints it was given', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'https://collector.attacker.example');
    const clients = createAwsClients({ region: REGION, endpoints: { kms: 'http://127.0.0.1:9' } });
    try {
      expect(await destinationOf(clients.kms, new DescribeKeyCommand({ KeyId: 'k' }))).toBe(
        'http://127.0.0.1:9',
      );
    } finally {
      clients.destroy();
    }
  });

  it('refuses an endpoint that is neither loopback nor of the data region', () => {
    expect(() =>
      createAwsClients({ region: REGION, endpoints: { kms: 'https://kms-proxy.attacker.example' } }),
    ).toThrow(ConfigurationError);
  });
});

describe('clientEndpointConfig', () => {
  it('always tells the SDK to ignore configured endpoints, and checks the one given', () => {
    expect(clientEndpointConfig(REGION, 'ssm', undefined)).toEqual({ ignoreConfiguredEndpointUrls: true });
    expect(clientEndpointConfig(REGION, 'ssm', 'http://127.0.0.1:1')).toEqual({
      ignoreConfiguredEndpointUrls: true,
      endpoint: 'http://127.0.0.1:1',
    });
    expect(() => clientEndpointConfig(REGION, 'ssm', 'https://ssm.eu-west-1.amazonaws.com')).toThrow(
      /eu-west-1/,
    );
  });
});
