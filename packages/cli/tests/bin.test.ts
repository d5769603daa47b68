import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUsageError } from '../src/program.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/src/bin.ts');
const PHONE = '+919876543210';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `residency <args>` as a process (tsx on bin.ts), killed after 20 s. */
async function residency(args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', BIN, ...args],
      {
        cwd: ROOT,
        timeout: 20_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** One line on stderr, no stack trace, nothing of the personal data. */
function expectOneCleanLine(run: CliRun): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.length, run.stderr).toBeLessThanOrEqual(2); // the error, and commander's "(add --help for usage)"
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr + run.stdout).not.toContain('9876543210');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-bin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('redactUsageError', () => {
  it('keeps the name of an unknown option and drops its value', () => {
    expect(redactUsageError(`error: unknown option '--identifer=phone:${PHONE}'\n`)).toBe(
      "error: unknown option '--identifer=…'\n",
    );
    expect(redactUsageError("error: unknown option '--bogus'")).toBe("error: unknown option '--bogus'");
    expect(redactUsageError(`error: unknown option '${PHONE}'`)).not.toContain(PHONE);
  });

  it('shows an unknown command only when it looks like a command name', () => {
    expect(redactUsageError("error: unknown command 'vaul'")).toBe("error: unknown command 'vaul'");
    expect(redactUsageError(`error: unknown command '${PHONE}'`)).not.toContain(PHONE);
  });
});

// One process at a time (each loads every command, ~2 s of CPU); the parsing itself is unit-tested.
describe('residency (process boundary)', () => {
  it.each([
    [['run', '--events', 'abc']],
    [['up', '--shards', '1e3']],
    [['loadtest', '--events']],
    [['run', '--window-seconds', '59']],
    [['run', '--window-seconds', '7']],
    [['run', '--window-seconds', '61']],
  ])('%j: a bad or missing number is bad usage, exit 2, before any stack starts', async (args) => {
    // Prepare
    const dataDir = join(dir, `data-${args.join('-').replace(/[^a-z0-9]/gi, '')}`);
    // Act
    const run = await residency([...args, '--data-dir', dataDir]);
    // Assess
    expect(run.code, run.stderr).toBe(2);
    expectOneCleanLine(run);
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it("run: a window length the ingest would refuse is bad usage that states the pipeline's rule", async () => {
    const run = await residency(['run', '--window-seconds', '7', '--data-dir', join(dir, 'window-7')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('that divide a day (86400) evenly');
  });

  it('an unknown option is exit 2 and shown without its value', async () => {
    const run = await residency([
      'vault',
      'export',
      '--actor',
      'a',
      '--purpose',
      'p',
      `--identifer=phone:${PHONE}`,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--identifer=…'");
    expectOneCleanLine(run);
  });

  it('a stray personal value as a command or scenario is not echoed', async () => {
    for (const run of await Promise.all([residency([PHONE]), residency(['loadtest', PHONE])])) {
      expect(run.code).toBe(2);
      expectOneCleanLine(run);
    }
  });

  it('bad usage of check is exit 3, its "unusable input", never 2 ("review")', async () => {
    const run = await residency(['check', '--bogus']);
    expect(run.code).toBe(3);
  });

  it('validate: a missing file, a directory and an empty file are exit 2 in one line', async () => {
    await mkdir(join(dir, 'a-dir'), { recursive: true });
    await writeFile(join(dir, 'empty.jsonl'), '');
    const names = ['missing.jsonl', 'a-dir', 'empty.jsonl'];
    for (const run of await Promise.all(names.map((name) => residency(['validate', join(dir, name)])))) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^residency: validate .*: (no such file|is a directory, not a file|is empty)\n$/,
      );
    }
  });

  it('validate: invalid lines are exit 1 and print no value', async () => {
    const file = join(dir, 'pii.jsonl');
    await writeFile(file, `{"phone": "${PHONE}" "x": 1}\n{"phone": "${PHONE}"}\n`);
    const run = await residency(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      'line 1: not JSON\nline 2: invalid event: type: not an event type of catalog clinicbook\n2 lines, 0 valid, 2 invalid\n',
    );
    expectOneCleanLine(run);
  });

  it('run and loadtest: a report into a directory that does not exist is exit 2 before anything runs', async () => {
    const input = join(dir, 'in.jsonl');
    await writeFile(input, '{}\n');
    const dataDir = join(dir, 'data-report');
    const runs = await Promise.all(
      [
        ['run', '--input', input, '--report', join(dir, 'nope', 'r.json'), '--data-dir', dataDir],
        ['run', '--input', input, '--report', input, '--data-dir', dataDir],
        ['run', '--input', join(dir, 'missing.jsonl'), '--data-dir', dataDir],
        ['loadtest', 'ceiling', '--quiet', '--json', join(dir, 'nope', 'bench.json')],
      ].map(residency),
    );
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        /^residency: --(report|input|json) .*: (directory .* does not exist|is the input file|no such file)\n$/,
      );
    }
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('export: an --out directory that does not exist, or a data dir with no control plane, is exit 2 and creates nothing', async () => {
    const dataDir = join(dir, 'no-control-plane');
    const [missingDir, noData] = await Promise.all([
      residency(['export', '--data-dir', dataDir, '--out', join(dir, 'nope', 'out.jsonl')]),
      residency(['export', '--data-dir', dataDir, '--out', join(dir, 'out.jsonl')]),
    ]);
    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toMatch(/^residency: --out .*: directory .* does not exist\n$/);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/^residency: no control plane in --data-dir/);
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('vault: a kind named like an Object method, or a country that is not one, is usage (exit 2), not a TypeError', async () => {
    const base = ['vault', 'export', '--data-dir', join(dir, 'no-stack'), '--actor', 'a', '--purpose', 'p'];
    const [method, country] = await Promise.all([
      residency([...base, '--identifier', `toString:${PHONE}`]),
      residency([...base, '--identifier', `phone:${PHONE}`, '--country', '__proto__']),
    ]);
    expect(method.code).toBe(2);
    expect(method.stderr).not.toContain('TypeError');
    expectOneCleanLine(method);
    expect(country.code).toBe(2);
    expect(country.stderr).toBe('residency: --country is a two-letter country code, e.g. IN\n');
  });

  it('--help lists the exit codes, and asking for help is exit 0', async () => {
    const [run, none] = await Promise.all([residency(['--help']), residency([])]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toMatch(/2 {2}bad usage/);
    expect(none.code).toBe(2);
  });
});
