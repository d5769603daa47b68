import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInputFile, checkOutputFile, replaceWith, writeOutputFile } from '../src/args/files.ts';
import { CliError } from '../src/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('checkInputFile', () => {
  it.each([
    ['missing.jsonl', 'no such file'],
    ['a-dir', 'is a directory'],
    ['empty.jsonl', 'is empty'],
    ['blank.jsonl', 'holds only blank lines'],
  ])('refuses %s with exit 2: %s', async (name, why) => {
    // Prepare
    await mkdir(join(dir, 'a-dir'), { recursive: true });
    await writeFile(join(dir, 'empty.jsonl'), '');
    // Blank lines in every line ending, a BOM, and more than one read's worth.
    await writeFile(join(dir, 'blank.jsonl'), `\uFEFF\n \r\n\t\n${' \n'.repeat(100_000)}`);
    // Act
    const error = await refusal(checkInputFile(join(dir, name), '--input'));
    // Assess
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `--input ${join(dir, name)}: ${why}${why === 'is a directory' ? ', not a file' : ''}`,
    );
  });

  it('takes a readable file with content, after any number of blank lines', async () => {
    const file = join(dir, 'ok.jsonl');
    await writeFile(file, '{}\n');
    await expect(checkInputFile(file, '--input')).resolves.toBeUndefined();
    const late = join(dir, 'late.jsonl');
    await writeFile(late, `${'\n'.repeat(200_000)}{}\n`);
    await expect(checkInputFile(late, '--input')).resolves.toBeUndefined();
  });
});

describe('checkOutputFile', () => {
  const quiet = { warn: () => undefined };

  it('refuses a file in a directory that does not exist, and creates nothing', async () => {
    const file = join(dir, 'no-such-dir', 'report.json');
    const error = await refusal(checkOutputFile(file, '--report', quiet));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('does not exist');
    expect(await readdir(dir)).not.toContain('no-such-dir');
  });

  it('refuses a directory and the input file itself', async () => {
    await mkdir(join(dir, 'out-dir'), { recursive: true });
    await writeFile(join(dir, 'input.jsonl'), '{}\n');
    expect((await refusal(checkOutputFile(join(dir, 'out-dir'), '--json', quiet))).message).toContain(
      'is a directory',
    );
    const same = await refusal(
      checkOutputFile(join(dir, '.', 'input.jsonl'), '--report', {
        ...quiet,
        notSameAs: join(dir, 'input.jsonl'),
      }),
    );
    expect(same.message).toContain('is the input file');
  });

  it('warns before an existing file is replaced, and is silent for a new one', async () => {
    const lines: string[] = [];
    const existing = join(dir, 'existing.json');
    await writeFile(existing, 'old');
    await checkOutputFile(existing, '--json', { warn: (l) => lines.push(l) });
    await checkOutputFile(join(dir, 'new.json'), '--json', { warn: (l) => lines.push(l) });
    expect(lines).toEqual([`residency: replacing ${existing}`]);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory it cannot write to', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked, { recursive: true });
    await chmod(locked, 0o500);
    const error = await refusal(checkOutputFile(join(locked, 'x.json'), '--json', quiet));
    expect(error.message).toContain('not writable');
    await chmod(locked, 0o700);
  });
});

describe('writeOutputFile', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const sub = await mkdtemp(join(dir, 'write-'));
    const file = join(sub, 'report.json');
    await writeFile(file, 'old');
    await writeOutputFile(file, 'new\n');
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(await readdir(sub)).toEqual(['report.json']);
  });

  it('keeps the old file and removes the temporary one when the write fails', async () => {
    const sub = await mkdtemp(join(dir, 'fail-'));
    const file = join(sub, 'out.jsonl');
    await writeFile(file, 'old');
    const failure = Object.assign(new Error('EIO: i/o error'), { code: 'EIO', syscall: 'write' });
    const error = await refusal(
      replaceWith(file, async (temp) => {
        await writeFile(temp, 'half');
        throw failure;
      }),
    );
    expect(error.message).toBe(`${file}: could not be written (EIO)`);
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(sub)).toEqual(['out.jsonl']);
  });

  it('passes on a failure that is not about the file', async () => {
    const sub = await mkdtemp(join(dir, 'other-'));
    const failure = new Error('store down');
    await expect(replaceWith(join(sub, 'x'), () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await readdir(sub)).toEqual([]);
  });
});
