import { describeError } from '@residency/vault';
import { CliError } from './errors.ts';
import { EXIT_CODES } from './exit-codes.ts';

/** What the CLI prints (one line) and exits with. */
export interface Failure {
  line: string;
  exitCode: number;
}

/**
 * Maps anything a command threw to its one line and exit code. Nothing in the line comes from
 * the input, and there is never a stack: CliError messages are the CLI's own; configuration errors
 * (a `setting` field) name settings, paths and ARNs; for anything else `describeError` gives the
 * name, the AWS or system error code, and the message only for error classes that never quote
 * their input (a message can echo the identifier it choked on). Commander's own exits (help, usage
 * errors) never get here: bin.ts ends with their exit code, commander having printed them.
 *
 * @example const { line, exitCode } = failureOf(error);
 */
export function failureOf(error: unknown): Failure {
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
