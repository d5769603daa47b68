import { clinicbook, validateEvent } from '@residency/core';
import type { InputLine } from './input.ts';

/** What {@link validateLines} counted; `lines` leaves blank lines out, as `residency run` does. */
export interface ValidationSummary {
  lines: number;
  valid: number;
  invalid: number;
}

/**
 * Validates events against the ClinicBook catalog, writing one line per bad input line: its
 * number, the field and the reason, never a value (the reasons of {@link InputLine} and of
 * `validateEvent` quote nothing from the input).
 *
 * @example const summary = await validateLines(readJsonLines('events.jsonl'), (l) => process.stdout.write(`${l}\n`));
 */
export async function validateLines(
  input: AsyncIterable<InputLine>,
  write: (line: string) => void,
): Promise<ValidationSummary> {
  const summary: ValidationSummary = { lines: 0, valid: 0, invalid: 0 };
  for await (const line of input) {
    summary.lines += 1;
    const reason = reasonOf(line);
    if (reason === undefined) {
      summary.valid += 1;
    } else {
      summary.invalid += 1;
      write(`line ${line.line}: ${reason}`);
    }
  }
  return summary;
}

function reasonOf(line: InputLine): string | undefined {
  if (!line.ok) return line.reason;
  const result = validateEvent(clinicbook, line.value);
  return result.ok ? undefined : result.error.message;
}
