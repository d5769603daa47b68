#!/usr/bin/env node
import { readdirSync } from 'node:fs';
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
  // Known failures print one clean line; anything else is a bug and keeps its stack.
  if (
    error instanceof CliError ||
    (error instanceof Error && error.name.endsWith('Error') && 'setting' in error)
  ) {
    process.stderr.write(`residency: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 2);
  }
  throw error;
}
