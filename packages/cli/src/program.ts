import { readdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_CODES } from './exit-codes.ts';

/** What a file in commands/ exports. */
interface CommandModule {
  register?: (program: Command) => void;
  /** Exit code of bad usage of the commands it registers. Default: 2 ({@link EXIT_CODES}). */
  usageExitCode?: number;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the command's check failed (invalid lines, a failed scenario, not found),
     or an unexpected failure
  2  bad usage: unknown command or option, a missing or bad value, an input or
     output file that cannot be used, bad configuration
  3  run: events not accounted for in time; vault: 3 to 6, see vault --help
  check keeps its own codes: 0 clean, 1 violations, 2 review, 3 unusable input
  (bad usage of check included)`;

// A word that can be a command or option name. Anything else is not repeated in an error: a
// mistyped `--identifer=phone:+91...` or a stray argument can be personal data.
const NAME = /^-{0,2}[A-Za-z][A-Za-z0-9-]*/;

/**
 * Commander's error line without what the user typed, beyond a command or option name: an
 * unknown option keeps its name only (`--identifer=VALUE` loses the value) and an unknown command
 * that does not look like one is not shown.
 *
 * @example redactUsageError("error: unknown option '--identifer=phone:+91...'") // "error: unknown option '--identifer=…'"
 */
export function redactUsageError(text: string): string {
  return text
    .replace(/unknown option '([^']*)'/, (_, flag: string) => {
      const name = NAME.exec(flag)?.[0];
      if (name === undefined) return 'unknown option (not shown: it does not look like an option name)';
      return `unknown option '${name}${name.length < flag.length ? '=…' : ''}'`;
    })
    .replace(/unknown command '([^']*)'/, (whole, name: string) =>
      NAME.exec(name)?.[0] === name
        ? whole
        : 'unknown command (not shown: it does not look like a command name)',
    );
}

/**
 * The `residency` program with the commands of commands/ registered (a new command is a new file
 * there, named as the command, no shared list to edit). Usage errors are one line plus a hint,
 * with what the user typed left out ({@link redactUsageError}), and throw a CommanderError whose
 * exit code is the command's usage code, for bin.ts to exit with.
 *
 * Given the arguments, a command's own file is the only one loaded when the first argument names
 * it: each file brings its packages (the AWS SDK, the emulators, the load test), and loading all of
 * them took about a second more than loading one. Anything else (no command, help, an option, an
 * unknown or mistyped command) loads every file, so that help lists them all and commander can
 * suggest the command meant.
 *
 * @example await (await createProgram(process.argv.slice(2))).parseAsync(process.argv);
 */
export async function createProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('residency')
    .description('Pseudonymization and telemetry pipeline that keeps personal data in its region.')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (text, write) => write(redactUsageError(text)) })
    .configureHelp({ sortSubcommands: true })
    .addHelpText('after', EXIT_CODES_HELP);
  program.exitOverride(exitWith(EXIT_CODES.usage));

  for (const file of commandFilesFor(args[0])) {
    const module = (await import(new URL(file, COMMANDS_DIR).href)) as CommandModule;
    const before = new Set(program.commands);
    module.register?.(program);
    for (const command of program.commands.filter((c) => !before.has(c))) {
      setUsageExitCode(command, module.usageExitCode ?? EXIT_CODES.usage);
    }
  }
  return program;
}

const COMMANDS_DIR = new URL('./commands/', import.meta.url);

/** The files of commands/ to load for a first argument: its own, or all of them. */
export function commandFilesFor(first: string | undefined): string[] {
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const own = `${first}.ts`;
  return first !== undefined && NAME.exec(first)?.[0] === first && files.includes(own) ? [own] : files;
}

function setUsageExitCode(command: Command, exitCode: number): void {
  command.exitOverride(exitWith(exitCode));
  for (const sub of command.commands) setUsageExitCode(sub, exitCode);
}

// Help that was asked for exits 0; every other commander exit is bad usage.
function exitWith(usageExitCode: number): (error: CommanderError) => never {
  return (error) => {
    throw error.exitCode === 0 ? error : new CommanderError(usageExitCode, error.code, error.message);
  };
}
