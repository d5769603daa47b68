import { describeError } from '@residency/vault';
import { CommanderError } from 'commander';
import { CliError } from './errors.ts';

/**
 * Exit codes every command shares (the README and `residency --help` list the same):
 * 0 done; 1 the command's check failed (invalid lines, a failed scenario, not found) or an
 * unexpected failure; 2 bad usage (unknown command or option, a missing or bad value, an input or
 * output file that cannot be used, bad configuration). Some commands add their own above 2
 * (`run`: 3 events not accounted for; `vault`: 3 to 6), and `check` keeps its own: 2 means
 * "review" there, so its bad usage is 3 ("unusable input").
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;

/** What the CLI prints (one line, or nothing when commander already did) and exits with. */
export interface Failure {
  line?: string;
  exitCode: number;
}

/**
 * Maps anything a command threw to its one line and exit code. Nothing in the line comes from
 * the input, and there is never a stack: CliError messages are the CLI's own; configuration errors
 * (a `setting` field) name settings, paths and ARNs; for anything else `describeError` gives the
 * name, the AWS or system error code, and the message only for error classes that never quote
 * their input (a message can echo the identifier it choked on).
 *
 * @example const { line, exitCode } = failureOf(error);
 */
export function failureOf(error: unknown): Failure {
  // Commander printed its own message already (usage errors, help); the exit code is set by
  // program.ts for the command that failed, 0 for help that was asked for.
  if (error instanceof CommanderError) return { exitCode: error.exitCode };
  if (error instanceof CliError) return { line: `residency: ${error.message}`, exitCode: error.exitCode };
  if (error instanceof Error && error.name.endsWith('Error') && 'setting' in error) {
    return { line: `residency: ${error.message}`, exitCode: EXIT_CODES.usage };
  }
  const { errorName, errorCode, message } = describeError(error);
  return {
    line: `residency: ${errorName}${errorCode ? ` (${errorCode})` : ''}: ${message}`,
    exitCode: EXIT_CODES.failed,
  };
}
