import { resolve } from 'node:path';
import type { Command } from 'commander';

/** Default data directory of the local stack, relative to the working directory (git-ignored). */
export const DEFAULT_DATA_DIR = '.residency';

/** Default data region of the local stack. */
export const DEFAULT_REGION = 'ap-south-1';

/** Adds `--data-dir` (default `.residency`) to a command. */
export function withDataDir(command: Command): Command {
  return command.option('--data-dir <dir>', 'data directory of the local stack', DEFAULT_DATA_DIR);
}

/** The absolute data directory from parsed options. */
export function dataDirOf(options: { dataDir?: string }): string {
  return resolve(options.dataDir ?? DEFAULT_DATA_DIR);
}
