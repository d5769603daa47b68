import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { clinicbook, validateEvent } from '@residency/core';
import type { Command } from 'commander';

/** `residency validate FILE.jsonl`: checks events against the ClinicBook catalog, printing field and reason per bad line, never values. */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'validate a JSON-lines file of events against the catalog (prints line, field and reason; never values)',
    )
    .argument('<file>', 'JSON lines, one event per line')
    .action(async (file: string) => {
      let line = 0;
      let bad = 0;
      for await (const text of createInterface({
        input: createReadStream(file),
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        line += 1;
        if (text.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          bad += 1;
          process.stdout.write(`line ${line}: not JSON\n`);
          continue;
        }
        const result = validateEvent(clinicbook, parsed);
        if (!result.ok) {
          bad += 1;
          process.stdout.write(`line ${line}: ${result.error.message}\n`);
        }
      }
      process.stdout.write(`${line} lines, ${line - bad} valid, ${bad} invalid\n`);
      if (bad > 0) process.exitCode = 1;
    });
}
