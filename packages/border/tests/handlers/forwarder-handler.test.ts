import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSigningKeyPair } from '../../src/index.ts';
import { type ForwarderStack, startForwarderStack } from '../support/local-aws.ts';

let dir: string | undefined;
// The cold start describes the key, tables and stream: a local stack serves them.
let stack: ForwarderStack;
beforeAll(async () => {
  stack = await startForwarderStack();
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('forwarder Lambda handler', () => {
  it('loads from a local-mode environment and quarantine-free empty batches succeed', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'forwarder-handler-'));
    const keyFile = join(dir, 'key.pem');
    await writeFile(keyFile, generateSigningKeyPair().privateKeyPem);
    const env = {
      ...stack.localModeEnv(keyFile, 'http://127.0.0.1:9'),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    // Act
    const { handler } = await import('../../src/handlers/forwarder.ts');
    const response = await handler({ Records: [] }, { getRemainingTimeInMillis: () => 60_000 } as never);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });
});
