import { describeError } from '@residency/vault';
import { CommanderError } from 'commander';
import { CliError } from './errors.ts';
import { EXIT_CODES } from './exit-codes.ts';

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
