import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import {
  compositeKey,
  createLambdaContext,
  ensureTable,
  type RunningEmulator,
  startDynalite,
} from '@residency/local';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createIngestFromEnv,
  createInMemoryMetrics,
  createWindowCloserFromEnv,
  envFromEndpointsFile,
  type PipelineEnv,
  silentLogger,
} from '../src/index.ts';
import { booked } from './support/events.ts';
import { kinesisEvent } from './support/kinesis-events.ts';
import {
  captureOutput,
  readOutboxMessages,
  readStream,
  startTestStack,
  type TestStack,
} from './support/stack.ts';

const context = () =>
  createLambdaContext({
    functionName: 'residency-ingest',
    functionArn: 'arn:aws:lambda:ap-south-1:000000000000:function:residency-ingest',
    deadlineMillis: Date.now() + 30_000,
  });

describe('cold-start residency checks', () => {
  let stack: TestStack;
  let foreign: RunningEmulator;
  let otherAccount: RunningEmulator;
  let env: PipelineEnv;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    stack = await startTestStack();
    env = envFromEndpointsFile(stack.stack.endpointsFile, stack.stack.endpointsFilePath);
    // A DynamoDB holding tables with the configured names: in another region, and in the data
    // region but another account.
    foreign = await startDynalite({ region: 'eu-west-1' });
    otherAccount = await startDynalite({ region: 'ap-south-1', accountId: '111111111111' });
    for (const [emulator, region] of [
      [foreign, 'eu-west-1'],
      [otherAccount, 'ap-south-1'],
    ] as const) {
      const client = new DynamoDBClient({
        region,
        endpoint: emulator.url,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      for (const table of Object.values(stack.stack.endpointsFile.tables)) {
        await ensureTable(client, compositeKey(table));
      }
      client.destroy();
    }
  }, 60_000);

  afterEach(() => {
    process.env = { ...savedEnv };
    vi.resetModules();
  });

  afterAll(async () => {
    await foreign?.close();
    await otherAccount?.close();
    await stack?.stop();
  });

  const options = { logger: silentLogger, metrics: createInMemoryMetrics() };

  it('the ingest refuses to start when a table is in another region (checked against the live table)', async () => {
    await expect(
      createIngestFromEnv({ ...env, AWS_ENDPOINT_URL_DYNAMODB: foreign.url }, options),
    ).rejects.toBeInstanceOf(RegionMismatchError);
  });

  it('the ingest refuses to start when the live tables and the key are in different accounts', async () => {
    // The tables are given by name (no account in the environment): only their live ARNs tell.
    const refusal = createIngestFromEnv({ ...env, AWS_ENDPOINT_URL_DYNAMODB: otherAccount.url }, options);
    await expect(refusal).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refusal).rejects.toThrow(/is in account '(111111111111|000000000000)' but KEY_ARN/);
  });

  it('the ingest refuses to start with an endpoint off loopback and outside the data region', async () => {
    await expect(
      createIngestFromEnv({ ...env, AWS_ENDPOINT_URL_KMS: 'https://kms-proxy.attacker.example' }, options),
    ).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('the window closer refuses to start with a KMS key in another region', async () => {
    const keyArn = stack.stack.endpointsFile.keyArn.replace(':ap-south-1:', ':us-east-1:');
    await expect(createWindowCloserFromEnv({ ...env, KEY_ARN: keyArn }, options)).rejects.toBeInstanceOf(
      RegionMismatchError,
    );
  });

  it('the Lambda module refuses every invocation, logs why, and does no work', async () => {
    // Prepare
    process.env = { ...savedEnv, ...env, KEY_ARN: env.KEY_ARN?.replace(':ap-south-1:', ':eu-central-1:') };
    const output = captureOutput();
    try {
      const { handler } = await import('../src/handlers/ingest.ts');

      // Act / Assess (the module was loaded fresh, so compare by name, not class identity)
      const refusal = { name: 'RegionMismatchError', dataRegion: 'ap-south-1', actualRegion: 'eu-central-1' };
      await expect(handler(kinesisEvent([booked()]), context())).rejects.toMatchObject(refusal);
      await expect(handler(kinesisEvent([booked()]), context())).rejects.toMatchObject(refusal);
    } finally {
      output.restore();
    }
    expect(output.text()).toContain('refusing to start');
    const outbox = await readStream(stack.clients.kinesis, env.OUTBOX_STREAM_NAME ?? '');
    expect(outbox).toEqual([]);
  });

  it('the same Lambda modules run against the local stack when the configuration is in region', async () => {
    // Prepare
    process.env = { ...savedEnv, ...env };
    const output = captureOutput();
    try {
      const ingest = await import('../src/handlers/ingest.ts');
      const closer = await import('../src/handlers/window-closer.ts');

      // Act
      const response = await ingest.handler(
        kinesisEvent([booked(), booked({ patientId: 'P-2' })]),
        context(),
      );
      const report = await closer.handler({}, context());

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(report.windows).toEqual([]);
    } finally {
      output.restore();
    }
    const outbox = await readOutboxMessages(stack.clients.kinesis, env.OUTBOX_STREAM_NAME ?? '');
    expect(outbox).toHaveLength(2);
    expect(output.text()).toContain('"service":"residency-ingest"');
  });
});
