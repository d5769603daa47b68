import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createAwsClients } from '@residency/aws';
import { forwarderPlugin, loadOrCreateLocalSigningKey } from '@residency/border/local';
import { type EventSourceMapping, startLocalStack } from '@residency/local';
import { aggregateCell, bookedRecord, recordMessage } from '@residency/testing/outbox';
import { afterAll, describe, expect, it } from 'vitest';
import { controlPlanePlugin } from '../../src/index.ts';

const run = promisify(execFile);
const repoRoot = new URL('../../../../', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the control plane and the forwarder as residency up plugins', () => {
  it('forward the outbox to the control plane, and residency export writes what it holds', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'cp-local-'));
    dirs.push(dataDir);
    const key = await loadOrCreateLocalSigningKey(dataDir);
    let mapping: EventSourceMapping | undefined;
    const stack = await startLocalStack({
      dataDir,
      region: 'ap-south-1',
      shardCount: 1,
      plugins: [
        controlPlanePlugin({ publicKeys: { [key.keyId]: key.publicKeyPem } }),
        forwarderPlugin({ signingKey: key, onStarted: (m) => (mapping = m) }),
      ],
    });
    const out = join(dataDir, 'export.jsonl');
    try {
      const clients = createAwsClients(stack.endpointsFile);
      const records = [bookedRecord(), bookedRecord(), bookedRecord()];
      const messages = [...records.map(recordMessage), { kind: 'aggregate', aggregate: aggregateCell() }];
      await clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: stack.endpointsFile.streams.outbox,
          Records: messages.map((m, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(JSON.stringify(m)) })),
        }),
      );
      clients.destroy();
      await mapping?.drain({ timeoutMillis: 20_000 });
      // Act
      const { stdout } = await run(
        'node',
        ['--import', 'tsx', 'packages/cli/src/bin.ts', 'export', '--data-dir', dataDir, '--out', out],
        {
          cwd: repoRoot,
        },
      );
      // Assess
      expect(stdout).toContain('3 records, 1 aggregates');
      const lines = (await readFile(out, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(
        lines
          .filter((l) => l.kind === 'record')
          .map((l) => l.record.recordId)
          .sort(),
      ).toEqual(records.map((r) => r.recordId).sort());
      expect(stack.endpointsFile.extra?.controlPlane).toMatchObject({ region: 'eu-central-1' });
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
