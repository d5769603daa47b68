import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { generateClinicBook } from '@residency/loadtest/generator';

/** One input line: parsed JSON, or why it is not JSON. Never the text itself. */
export type InputLine =
  | { line: number; ok: true; value: unknown }
  | { line: number; ok: false; reason: string };

/** Largest line accepted from a file: Kinesis caps a record at 1 MiB. */
export const MAX_LINE_BYTES = 1_048_576;

/**
 * Reads a JSON-lines file; blank lines are skipped but keep their number. A line that is not
 * UTF-8 is refused, not read with replacement characters: what was sent must be what was written.
 */
export async function* readJsonLines(path: string): AsyncGenerator<InputLine> {
  let line = 0;
  // Latin-1 maps each byte to one character, so a line's bytes come back exactly for the check.
  const lines = createInterface({
    input: createReadStream(path, 'latin1'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  for await (const bytes of lines) {
    line += 1;
    if (bytes.trim() === '') continue;
    if (bytes.length > MAX_LINE_BYTES) {
      yield { line, ok: false, reason: `line is larger than ${MAX_LINE_BYTES} bytes` };
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(Buffer.from(bytes, 'latin1'));
    } catch {
      yield { line, ok: false, reason: 'not UTF-8' };
      continue;
    }
    try {
      yield { line, ok: true, value: JSON.parse(text) };
    } catch {
      yield { line, ok: false, reason: 'not JSON' };
    }
  }
}

/** A generated ClinicBook workload as numbered lines (the default input of `residency run`). */
export async function* generatedLines(events: number, seed: number): AsyncGenerator<InputLine> {
  let line = 0;
  // Event times over the last minute, as live traffic: inside the allowed lateness, so every event
  // counts in the windowed aggregates (older events would be counted as late and left out).
  const startMillis = Date.now() - 60_000;
  for (const event of generateClinicBook({ events, seed, startMillis, spanMillis: 60_000 })) {
    line += 1;
    yield { line, ok: true, value: event };
  }
}
