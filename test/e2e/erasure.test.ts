import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClinicBook } from '@residency/loadtest/generator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residency } from './cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMillis: number): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function exportRows(dataDir: string, out: string) {
  const result = await residency(['export', '--data-dir', dataDir, '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return (await readFile(out, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as { kind: string; record?: { subject?: string; tokens: Record<string, string> } },
    );
}

describe('erasure through the CLI, across the border', () => {
  let dir: string;
  let dataDir: string;
  let up: ChildProcess;

  beforeAll(async () => {
    // The vault's authorization allowlist (on AWS: stage configuration).
    process.env.DETOKENIZE_PRINCIPALS = 'dpo@clinic';
    dir = await mkdtemp(join(tmpdir(), 'residency-erasure-'));
    dataDir = join(dir, 'data');
    up = spawn(
      process.execPath,
      ['--import', 'tsx', 'packages/cli/src/bin.ts', 'up', '--data-dir', dataDir],
      {
        cwd: root,
        stdio: 'ignore',
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
      },
    );
    await waitFor(async () => {
      if (!existsSync(join(dataDir, 'endpoints.json'))) return undefined;
      const file = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as {
        endpoints: { controlPlane?: string };
      };
      return file.endpoints.controlPlane;
    }, 120_000);
  });

  afterAll(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up.once('exit', resolve));
      up.kill('SIGINT');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('erases a patient in region and deletes every row of its tokens in the control plane', async () => {
    // Prepare: events of several patients through a running `residency up`.
    const events = [
      ...generateClinicBook({ events: 80, seed: 4, startMillis: Date.now() - 20_000, spanMillis: 10_000 }),
    ];
    await writeFile(join(dir, 'input.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const sent = await residency(['run', '--input', join(dir, 'input.jsonl'), '--data-dir', dataDir]);
    expect(sent.code, sent.stderr).toBe(0);
    // A patient number is per tenant (the vault keys it so): counted by tenant and number.
    const counts = new Map<string, number>();
    for (const e of events) {
      const key = `${e.tenantId}/${e.patientId}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const [scoped] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const [tenantId, patientId] = scoped.split('/') as [string, string];

    const access = ['--data-dir', dataDir, '--actor', 'dpo@clinic', '--purpose', 'erasure request 42'];
    const patient = ['--identifier', `patient:${patientId}`, '--tenant', tenantId];
    const exported = await residency(['vault', 'export', ...patient, ...access]);
    expect(exported.code, exported.stderr).toBe(0);
    const subjectToken = (JSON.parse(exported.stdout) as { subject: { token: string } }).subject.token;
    const before = await exportRows(dataDir, join(dir, 'before.jsonl'));
    const rowsOf = (rows: typeof before, tokens: ReadonlySet<string>) =>
      rows.filter(
        (r) =>
          r.record &&
          (tokens.has(r.record.subject ?? '') || Object.values(r.record.tokens).some((t) => tokens.has(t))),
      ).length;
    expect(rowsOf(before, new Set([subjectToken]))).toBe(counts.get(scoped));

    // Act
    const erased = await residency(['vault', 'erase', ...patient, ...access]);
    expect(erased.code, erased.stderr).toBe(0);
    const { notice } = JSON.parse(erased.stdout) as { notice: { tokens: string[] } };
    const tokens = new Set(notice.tokens);

    // Assess: the notice names the patient's token, and once it has crossed, no row of it is left
    // while every other patient's records are.
    expect(tokens.has(subjectToken)).toBe(true);
    const remaining = await waitFor(async () => {
      const rows = await exportRows(dataDir, join(dir, 'after.jsonl'));
      return rowsOf(rows, tokens) === 0 ? rows : undefined;
    }, 60_000);
    const records = (rows: typeof before) => rows.filter((r) => r.kind === 'record').length;
    expect(records(remaining)).toBe(records(before) - (counts.get(scoped) ?? 0));
    expect(erased.stdout).not.toContain(patientId);
  });
});
