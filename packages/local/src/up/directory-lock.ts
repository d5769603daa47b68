import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DataDirectoryNotWritableError, StackAlreadyRunningError } from '../errors.ts';

/** File name of the lock `residency up` holds in its data directory. */
export const LOCK_FILE_NAME = 'up.lock';

const LockFileSchema = z.object({ pid: z.number().int().positive(), startedAt: z.string().optional() });

/** A held lock on a data directory. */
export interface DirectoryLock {
  readonly path: string;
  /** Removes the lock file if this process still owns it. */
  release(): Promise<void>;
}

/**
 * Takes `DIR/up.lock` (created exclusively, holding this pid) so that two `residency up` never
 * share a data directory: the emulators' databases are single-writer. A lock whose pid is no
 * longer running (a crashed `up`) is stale and taken over; a lock held by a live process,
 * including this one, is a {@link StackAlreadyRunningError}.
 */
export async function acquireDirectoryLock(dataDir: string): Promise<DirectoryLock> {
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      return { path, release: () => releaseLock(path) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new DataDirectoryNotWritableError(dataDir, { cause: error });
    }
    const holder = await readHolder(path);
    if (holder !== undefined && isRunning(holder)) throw new StackAlreadyRunningError(dataDir, holder, path);
    // Stale (dead pid) or unreadable (a crash mid-write): take it over.
    await rm(path, { force: true });
  }
  throw new DataDirectoryNotWritableError(dataDir, { cause: new Error(`could not take ${path}`) });
}

async function readHolder(path: string): Promise<number | undefined> {
  try {
    const parsed = LockFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data.pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(path: string): Promise<void> {
  if ((await readHolder(path)) === process.pid) await rm(path, { force: true });
}
