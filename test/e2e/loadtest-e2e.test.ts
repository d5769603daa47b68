import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { residency } from './cli.ts';

// The load test's e2e scenario follows each event from `send` to the control plane by the record
// id the vault derives for it. A short run on a real local stack: every event must be found.
describe('residency loadtest e2e (producer → local stack → control plane)', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds every event it sent stored by the control plane, with a latency for each', async () => {
    dir = await mkdtemp(join(tmpdir(), 'residency-loadtest-e2e-'));
    const out = join(dir, 'e2e.json');
    const result = await residency(['loadtest', 'e2e', '--e2e-events', '150', '--quiet', '--json', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect([report.e2e.sent, report.e2e.stored]).toEqual([150, 150]);
    expect(report.e2e.latencyMillis.p99).toBeGreaterThan(0);
  }, 240_000);
});
