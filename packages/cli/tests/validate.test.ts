import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClinicBook } from '@residency/loadtest/generator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, readJsonLines } from '../src/run/input.ts';
import { validateLines } from '../src/run/validate-lines.ts';

const PHONE = '+919876543210';
const EMAIL = 'asha.rao@example.org';
const NAME = 'Asha Rao';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function events(count: number): string[] {
  return [...generateClinicBook({ events: count, seed: 11 })].map((event) => JSON.stringify(event));
}

async function validate(name: string, content: string | Buffer) {
  const file = join(dir, name);
  await writeFile(file, content);
  const out: string[] = [];
  const summary = await validateLines(readJsonLines(file), (line) => out.push(line));
  return { summary, out };
}

describe('validate (validateLines over readJsonLines)', () => {
  it('reads a BOM, CRLF line ends and a last line without a newline as valid events', async () => {
    // Prepare
    const [a, b, c] = events(3);
    // Act
    const { summary, out } = await validate('bom-crlf.jsonl', `\uFEFF${a}\r\n${b}\r\n\r\n${c}`);
    // Assess
    expect(out).toEqual([]);
    expect(summary).toEqual({ lines: 3, valid: 3, invalid: 0 });
  });

  it('refuses a line that is not UTF-8 by number, without replacement characters', async () => {
    const [a] = events(1);
    const latin1 = Buffer.from(`{"name":"Jos\xe9 ${PHONE}"}\n`, 'latin1');
    const { summary, out } = await validate('latin1.jsonl', Buffer.concat([Buffer.from(`${a}\n`), latin1]));
    expect(out).toEqual(['line 2: not UTF-8']);
    expect(summary).toEqual({ lines: 2, valid: 1, invalid: 1 });
  });

  it('never prints a value: JSON syntax errors (which JSON.parse quotes) and schema errors give field and reason only', async () => {
    // Prepare: JSON.parse's own message would quote the text around the error.
    const [a] = events(1);
    const event = JSON.parse(a as string) as Record<string, unknown>;
    const lines = [
      `{"phone": "${PHONE}", "email": "${EMAIL}" "name": "${NAME}"}`,
      `{"name": "${NAME}", "phone": ${PHONE}}`,
      `${PHONE} ${EMAIL}`,
      JSON.stringify({ ...event, type: `${NAME} ${PHONE}` }),
      JSON.stringify({ ...event, tenantId: EMAIL }),
      JSON.stringify({ ...event, eventId: PHONE, occurredAt: NAME }),
      JSON.stringify({ ...event, payload: { phone: { [EMAIL]: NAME } } }),
      JSON.stringify({ ...event, [`${EMAIL}`]: PHONE }),
    ];
    // Act
    const { out } = await validate('pii.jsonl', `${lines.join('\n')}\n`);
    // Assess
    expect(out.length).toBeGreaterThanOrEqual(6);
    const printed = out.join('\n');
    for (const value of [PHONE, '9876543210', EMAIL, 'asha', NAME, 'Rao'])
      expect(printed).not.toContain(value);
    expect(out[0]).toBe('line 1: not JSON');
  });

  it('refuses a 50 MB line by size, and reads the lines after it', async () => {
    // Prepare: one line of 50 MiB (a string of the phone number repeated), then a valid event.
    const [a] = events(1);
    const file = join(dir, 'huge.jsonl');
    const handle = await open(file, 'w');
    const chunk = `"${PHONE}",`.repeat(65_536);
    await handle.write('[');
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) await handle.write(chunk);
    await handle.write(`"${PHONE}"]\n${a}\n`);
    await handle.close();
    // Act
    const out: string[] = [];
    const summary = await validateLines(readJsonLines(file), (line) => out.push(line));
    // Assess
    expect(out).toEqual([`line 1: line is larger than ${MAX_LINE_BYTES} bytes`]);
    expect(summary).toEqual({ lines: 2, valid: 1, invalid: 1 });
  }, 20_000);
});
