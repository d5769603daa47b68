#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.ts';

// The SDK warns on every start that releases after January 2027 need Node 22; the README says so
// once, and the warning would bury the CLI's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const program = await createProgram(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and usage errors: commander printed them, and program.ts set the exit code.
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // Loaded only now: describing any other failure needs the vault's error classes, and the SDK.
  const { failureOf } = await import('./exit.ts');
  // Every failure is one line and an exit code, and nothing in it comes from the input (see failureOf).
  const { line, exitCode } = failureOf(error);
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
}
