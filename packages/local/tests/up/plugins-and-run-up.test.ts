import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { readEndpointsFile } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMapping,
  type LocalStackContext,
  type LocalStackPlugin,
  runUp,
  startLocalStack,
} from '../../src/index.ts';

const REGION = 'ap-south-1';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'residency-plugins-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('startLocalStack plugins', () => {
  it('starts plugins in order with the stack, records what they add, and stops them in reverse', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(root, 'stack-'));
    const events: string[] = [];
    const seen: LocalStackContext[] = [];
    const plugin =
      (name: string, adds: { controlPlane?: string; extra?: Record<string, unknown> }): LocalStackPlugin =>
      async (stack) => {
        seen.push(stack);
        events.push(`start ${name}`);
        return {
          stop: async () => {
            events.push(`stop ${name}`);
          },
          ...(adds.controlPlane ? { endpoints: { controlPlane: adds.controlPlane } } : {}),
          ...(adds.extra ? { extra: adds.extra } : {}),
        };
      };
    // Act
    const stack = await startLocalStack({
      dataDir,
      region: REGION,
      plugins: [
        plugin('control-plane', { controlPlane: 'http://127.0.0.1:4010' }),
        plugin('pipeline', { extra: { signingKeyId: 'k1' } }),
      ],
    });
    const written = await readEndpointsFile(dataDir);
    await stack.stop();
    // Assess
    expect(events).toEqual(['start control-plane', 'start pipeline', 'stop pipeline', 'stop control-plane']);
    expect(seen[1]?.endpoints.endpoints.controlPlane).toBe('http://127.0.0.1:4010');
    expect(written.endpoints.controlPlane).toBe('http://127.0.0.1:4010');
    expect(written.extra).toEqual({ signingKeyId: 'k1' });
  });

  it('runs an event source mapping plugged into the stack against its events stream', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(root, 'stack-'));
    const delivered: string[] = [];
    let drain: () => Promise<void> = async () => undefined;
    const pipeline: LocalStackPlugin = async ({ clients, endpoints }) => {
      const mapping = createEventSourceMapping({
        kinesis: clients.kinesis,
        streamName: endpoints.streams.events ?? '',
        startingPosition: 'TRIM_HORIZON',
        idlePollMillis: 10,
        handler: async (event) => {
          delivered.push(
            ...event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString()),
          );
        },
      });
      await mapping.start();
      drain = () => mapping.drain({ timeoutMillis: 10_000 });
      return { stop: () => mapping.stop() };
    };
    const stack = await startLocalStack({ dataDir, region: REGION, plugins: [pipeline] });
    try {
      // Act
      const { createAwsClients } = await import('@residency/aws');
      const clients = createAwsClients(stack.endpointsFile);
      await clients.kinesis.send(
        new PutRecordCommand({
          StreamName: stack.endpointsFile.streams.events,
          PartitionKey: 'p',
          Data: Buffer.from('hello'),
        }),
      );
      clients.destroy();
      await drain();
    } finally {
      await stack.stop();
    }
    // Assess
    expect(delivered).toEqual(['hello']);
  });

  it('stops what already started when a plugin fails to start', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(root, 'stack-'));
    const failing: LocalStackPlugin = async () => {
      throw new Error('plugin broke');
    };
    // Act
    const attempt = startLocalStack({ dataDir, region: REGION, plugins: [failing] });
    // Assess
    await expect(attempt).rejects.toThrow('plugin broke');
    await expect(stat(join(dataDir, 'up.lock'))).rejects.toThrow();
    const again = await startLocalStack({ dataDir, region: REGION });
    await again.stop();
  });
});

describe('runUp', () => {
  it('runs until aborted, then stops everything', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(root, 'run-'));
    const controller = new AbortController();
    const lines: string[] = [];
    // Act
    const running = runUp({
      dataDir,
      region: REGION,
      signal: controller.signal,
      log: (line) => lines.push(line),
    });
    while (!lines.some((line) => line.includes('Ctrl-C')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    const whileRunning = await readEndpointsFile(dataDir);
    controller.abort();
    await running;
    // Assess
    expect(whileRunning.region).toBe(REGION);
    expect(lines.at(-1)).toBe('residency up: stopped');
    await expect(stat(join(dataDir, 'endpoints.json'))).rejects.toThrow();
  });

  it('stops everything on SIGTERM', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(root, 'run-'));
    const lines: string[] = [];
    const running = runUp({ dataDir, region: REGION, log: (line) => lines.push(line) });
    while (!lines.some((line) => line.includes('Ctrl-C')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    // Act: deliver the signal to runUp's listener only (a real kill would reach the test runner too)
    process.emit('SIGTERM', 'SIGTERM');
    await running;
    // Assess
    expect(lines.at(-1)).toBe('residency up: stopped');
  });
});
