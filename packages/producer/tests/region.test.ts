import { createAwsClients } from '@residency/aws';
import { type RunningEmulator, startKinesalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createKinesisTransport,
  createProducer,
  type ProducerOptions,
  RegionMismatchError,
} from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';
import { createStream, readStream } from './support/stream.ts';

const base: ProducerOptions = { streamName: 'events', region: 'ap-south-1', partitionKeySecret: newSecret() };

describe('producer region guard', () => {
  it.each([
    ['a region other than the data region', { region: 'eu-west-1', dataRegion: 'ap-south-1' }],
    ['an AWS endpoint of another region', { endpoint: 'https://kinesis.us-east-1.amazonaws.com' }],
    ['a FIPS endpoint of another region', { endpoint: 'https://kinesis-fips.us-west-2.amazonaws.com' }],
    [
      'a stream ARN in another region',
      { streamArn: 'arn:aws:kinesis:eu-central-1:123456789012:stream/events' },
    ],
  ])('refuses %s with RegionMismatchError', (_, overrides) => {
    // Act / Assess
    expect(() => createProducer({ ...base, ...overrides })).toThrow(RegionMismatchError);
  });

  it.each([
    ['an invalid region name', { region: 'mumbai' }],
    ['plain http to a non-loopback host', { endpoint: 'http://kinesis.example.com' }],
    [
      'a stream ARN naming another stream',
      { streamArn: 'arn:aws:kinesis:ap-south-1:123456789012:stream/other' },
    ],
    ['a stream ARN of another service', { streamArn: 'arn:aws:sqs:ap-south-1:123456789012:events' }],
    ['a stream name Kinesis would refuse', { streamName: 'events/../x' }],
    ['a short partition key secret', { partitionKeySecret: Buffer.alloc(16) }],
    ['no partition key secret outside local mode', { partitionKeySecret: undefined }],
    ['a batch over the Kinesis limit', { maxBatchRecords: 501 }],
  ])('refuses %s with ConfigurationError', (_, overrides) => {
    // Act / Assess
    expect(() => createProducer({ ...base, ...overrides } as ProducerOptions)).toThrow(ConfigurationError);
  });

  it('accepts the data region, its own endpoint and ARN, and loopback', async () => {
    // Act
    const producers = [
      createProducer({ ...base, endpoint: 'https://kinesis.ap-south-1.amazonaws.com' }),
      createProducer({
        ...base,
        dataRegion: 'ap-south-1',
        streamArn: 'arn:aws:kinesis:ap-south-1:123456789012:stream/events',
      }),
      createProducer({ ...base, endpoint: 'http://127.0.0.1:4567' }),
    ];

    // Assess
    for (const producer of producers) expect(await producer.close()).toEqual({ sent: 0, failed: [] });
  });

  it('generates a per-process secret in local mode only, and says so', async () => {
    // Prepare
    const warnings: string[] = [];

    // Act
    const producer = createProducer({
      streamName: 'events',
      region: 'ap-south-1',
      endpoint: 'http://localhost:4567',
      logger: { warn: (message) => warnings.push(message) },
    });

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('partitionKeySecret');
    await producer.close();
  });

  describe('with a Kinesis client of your own', () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startKinesalite({ region: 'ap-south-1' });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    it('fails every event closed, and sends none, when the client is in another region', async () => {
      // Prepare: the emulator would accept the call; the guard must stop it first.
      const admin = createAwsClients({ region: 'ap-south-1', endpoints: { kinesis: emulator.url } });
      const streamName = await createStream(admin.kinesis, 1, 'region');
      const foreign = createAwsClients(
        { region: 'us-east-1', endpoints: { kinesis: emulator.url } },
        { maxAttempts: 1 },
      );
      const producer = createProducer({
        streamName,
        region: 'ap-south-1',
        transport: createKinesisTransport({ client: foreign.kinesis, streamName, dataRegion: 'ap-south-1' }),
        partitionKeySecret: newSecret(),
      });

      // Act
      for (const event of makeEvents(10, 10)) await producer.send(event);
      const report = await producer.close();
      const records = await readStream(admin.kinesis, streamName, { expected: 0, timeoutMillis: 200 });

      // Assess
      expect(report.sent).toBe(0);
      expect(report.failed).toHaveLength(10);
      expect(
        report.failed.every(
          (f) => f.reason === 'stream_error' && f.errorCode === 'RegionMismatchError' && !f.mayBeOnStream,
        ),
      ).toBe(true);
      expect(records).toEqual([]);
      foreign.destroy();
      admin.destroy();
    });
  });
});
