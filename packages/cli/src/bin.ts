#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { describeError } from '@residency/vault';
import { Command } from 'commander';
import { CliError } from './errors.ts';

// The SDK warns on every start that releases after January 2027 need Node 22; the README says so
// once, and the warning would bury the CLI's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Every file in commands/ registers one command; a new command is a new file, no shared list to edit.
const program = new Command('residency')
  .description('Pseudonymization and telemetry pipeline that keeps personal data in its region.')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

const commandsDir = new URL('./commands/', import.meta.url);
for (const file of readdirSync(commandsDir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const module = (await import(new URL(file, commandsDir).href)) as { register?: (program: Command) => void };
  module.register?.(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Every failure is one line and an exit code, and nothing in it comes from the input (no stack
  // either: its first line is the message). CliError messages are the CLI's own; configuration
  // errors (a `setting` field) name settings, paths and ARNs. For anything else, `describeError`
  // prints the name, the AWS or system error code, and the message only for error classes that
  // never quote their input: a message can echo the identifier it choked on.
  if (error instanceof CliError) {
    process.stderr.write(`residency: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof Error && error.name.endsWith('Error') && 'setting' in error) {
    process.stderr.write(`residency: ${error.message}\n`);
    process.exit(2);
  }
  const { errorName, errorCode, message } = describeError(error);
  process.stderr.write(`residency: ${errorName}${errorCode ? ` (${errorCode})` : ''}: ${message}\n`);
  process.exit(1);
}
