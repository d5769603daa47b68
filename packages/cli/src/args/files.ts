import { constants, createReadStream, type Stats } from 'node:fs';
import { access, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from '../errors.ts';
import { EXIT_CODES } from '../exit-codes.ts';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
      EXIT_CODES.usage,
    );
  }
}

/**
 * Checks, before any work starts, that an input file exists, is a regular file, can be read and
 * holds something besides blank lines; otherwise a one-line {@link CliError} (exit 2) naming the
 * option and the path. The path is the user's own; nothing from the file is shown.
 *
 * @example await checkInputFile(options.input, '--input');
 */
export async function checkInputFile(path: string, what: string): Promise<void> {
  const stats = await statOrUndefined(path);
  const refuse = (why: string) => new CliError(`${what} ${path}: ${why}`, EXIT_CODES.usage);
  if (!stats) throw refuse('no such file');
  if (stats.isDirectory()) throw refuse('is a directory, not a file');
  if (!stats.isFile()) throw refuse('is not a regular file');
  try {
    await access(path, constants.R_OK);
  } catch {
    throw refuse('cannot be read (permission denied)');
  }
  if (stats.size === 0) throw refuse('is empty');
  if (!(await holdsNonBlank(path))) throw refuse('holds only blank lines');
}

// Whether a file has a byte other than whitespace (and a UTF-8 BOM): read until the first one, so
// a file of events costs one small read. Nothing read is kept or shown.
async function holdsNonBlank(path: string): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const byte of chunk) {
        if (!BLANK_BYTES.has(byte)) return true;
      }
    }
    return false;
  } finally {
    stream.destroy();
  }
}

/** Space, tab, CR, LF, and the bytes of a UTF-8 byte order mark (EF BB BF). */
const BLANK_BYTES = new Set([0x20, 0x09, 0x0d, 0x0a, 0xef, 0xbb, 0xbf]);

/** Options of {@link checkOutputFile}. */
export interface OutputCheck {
  /** Where the "replacing FILE" notice goes. */
  warn: (line: string) => void;
  /** An input file the output must not replace. Default: none. */
  notSameAs?: string;
}

/**
 * Checks, before any work starts, that an output file can be written: its directory exists (it is
 * not created: a typo in it would scatter reports) and the path is not a directory or the input.
 * An existing file is replaced, as regenerating a report is the usual case, with a notice.
 *
 * @example await checkOutputFile(options.report, '--report', { warn: log });
 */
export async function checkOutputFile(path: string, what: string, check: OutputCheck): Promise<void> {
  const refuse = (why: string) => new CliError(`${what} ${path}: ${why}`, EXIT_CODES.usage);
  if (path.trim() === '') throw new CliError(`${what}: the file name is empty`, EXIT_CODES.usage);
  const dir = dirname(resolve(path));
  const dirStats = await statOrUndefined(dir);
  if (!dirStats) throw refuse(`directory ${dirname(path)} does not exist`);
  if (!dirStats.isDirectory()) throw refuse(`${dirname(path)} is not a directory`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw refuse(`directory ${dirname(path)} is not writable`);
  }
  const stats = await statOrUndefined(path);
  if (!stats) return;
  if (stats.isDirectory()) throw refuse('is a directory');
  if (check.notSameAs !== undefined) {
    const input = await statOrUndefined(check.notSameAs);
    if (input && input.dev === stats.dev && input.ino === stats.ino) throw refuse('is the input file');
  }
  check.warn(`residency: replacing ${path}`);
}

/**
 * Writes an output file whole or not at all: into a temporary file beside it, then renamed over
 * it, so a failed write never leaves half a report behind (or half of the one it replaces).
 *
 * @example await writeOutputFile('report.json', JSON.stringify(report));
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  await replaceWith(path, (temp) => writeFile(temp, text, { flag: 'wx' }));
}

/**
 * Has `write` produce the file at a temporary path beside `path`, then renames it over `path`.
 * On failure the temporary file is removed; a file system error becomes a one-line {@link CliError}
 * (exit 1) with its code.
 */
export async function replaceWith(
  path: string,
  write: (tempPath: string) => Promise<unknown>,
): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    const { code, syscall } = error as NodeJS.ErrnoException;
    // Only a file system failure is about the file; anything else (the store export reads) is not.
    if (syscall === undefined) throw error;
    throw new CliError(`${path}: could not be written${code ? ` (${code})` : ''}`, EXIT_CODES.failed, {
      cause: error,
    });
  }
}
