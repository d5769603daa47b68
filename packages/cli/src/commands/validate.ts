import type { Command } from 'commander';
import { checkInputFile } from '../args/files.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { readJsonLines } from '../run/input.ts';
import { validateLines } from '../run/validate-lines.ts';

/**
 * `residency validate FILE.jsonl`: checks events against the ClinicBook catalog, printing field
 * and reason per bad line, never values. Lines are read as `residency run` reads them (UTF-8 only,
 * a BOM and CRLF line ends allowed, at most 1 MiB a line), so what passes here is what run sends.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'validate a JSON-lines file of events against the catalog (prints line, field and reason; never values); exit 0 all valid, 1 invalid lines, 2 unusable file',
    )
    .argument('<file>', 'JSON lines, one event per line (UTF-8)')
    .action(async (file: string) => {
      await checkInputFile(file, 'validate');
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const summary = await validateLines(readJsonLines(file), write);
      write(`${summary.lines} lines, ${summary.valid} valid, ${summary.invalid} invalid`);
      if (summary.invalid > 0) process.exitCode = EXIT_CODES.failed;
    });
}
