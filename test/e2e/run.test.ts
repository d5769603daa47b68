import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClinicBook } from '@residency/loadtest/generator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGION } from '../../packages/cli/src/stack/options.ts';
import { local } from '../reliability/support/deps.ts';
import { stackEventIdsByRecordId } from '../reliability/support/record-ids.ts';
import { residency } from './cli.ts';

// Personal data hidden where a careless pipeline would forward it. Public fields: validation refuses
// the event (here the producer, before the stream; the ingest and the border's scan stand behind it). Unknown fields: stripped at validation. Free text: dropped (sensitive).
const HIDDEN = {
  phoneInDepartment: 'call 01711-234567',
  emailInDistrict: 'rahima.khatun@example.com',
  fullWidthPhone: 'tel ０１８１９２３４５６７',
  unknownEmail: 'secret.patient@gmail.com',
  unknownNid: '19901234567890123',
  noteWithPhone: 'Patient asked to be called on +8801912345678 after 6pm',
  badPhone: '+88 not-a-number 99',
};

describe('residency run, end to end through the local stack', () => {
  let dir: string;
  let report: Record<string, unknown> & {
    lines: number;
    sent: number;
    rejected: Array<{ line: number; reason: string }>;
    forwarded: number;
    quarantined: { count: number; reasons: Record<string, number> };
    complete: boolean;
  };
  let exported: string;
  const clean: Array<Record<string, unknown>> = [];
  const dirty: Array<Record<string, unknown>> = [];
  const stripped: Array<Record<string, unknown>> = [];
  let runOutput = '';
  /** Event id → the record id the run's vault derived for it. */
  const recordIdOf = new Map<string, string>();

  beforeAll(async () => {
    // Prepare: clean live events, events with personal data in public fields, unknown fields and
    // free text, and lines that must be rejected before the stream.
    dir = await mkdtemp(join(tmpdir(), 'residency-e2e-'));
    const now = Date.now();
    for (const event of generateClinicBook({
      events: 60,
      seed: 21,
      startMillis: now - 30_000,
      spanMillis: 20_000,
    })) {
      clean.push(event);
    }
    const booked = clean.find((e) => e.type === 'appointment.booked') as Record<string, unknown>;
    const registered = clean.find((e) => e.type === 'patient.registered') as Record<string, unknown>;
    const note = clean.find((e) => e.type === 'note.added') as Record<string, unknown>;
    dirty.push(
      { ...booked, eventId: randomUUID(), appointmentId: 'A-DIRTY-1', department: HIDDEN.phoneInDepartment },
      { ...registered, eventId: randomUUID(), patientId: 'P-DIRTY-2', district: HIDDEN.emailInDistrict },
      { ...booked, eventId: randomUUID(), appointmentId: 'A-DIRTY-3', department: HIDDEN.fullWidthPhone },
    );
    stripped.push(
      { ...note, eventId: randomUUID(), contact: HIDDEN.unknownEmail, meta: { nid: HIDDEN.unknownNid } },
      { ...note, eventId: randomUUID(), note: HIDDEN.noteWithPhone },
    );
    const lines = [
      ...clean.map((e) => JSON.stringify(e)),
      ...dirty.map((e) => JSON.stringify(e)),
      ...stripped.map((e) => JSON.stringify(e)),
      JSON.stringify({ ...registered, eventId: randomUUID(), phone: HIDDEN.badPhone }),
      JSON.stringify({ ...booked, eventId: randomUUID(), waitDays: 'soon' }),
      '{"type": "appointment.booked", "truncated": ',
      JSON.stringify({ type: 'patient.deleted', eventId: randomUUID() }),
      // Another event under an id an earlier line gave (in capitals: the same UUID)
      JSON.stringify({ ...note, eventId: String(clean[0]?.eventId).toUpperCase() }),
      '',
    ];
    // A line that is not UTF-8: a clean event whose district has a Latin-1 "é" (byte 0xe9)
    const [before, after] = JSON.stringify({
      ...registered,
      eventId: randomUUID(),
      district: 'Dhaka|',
    }).split('|');
    const latin1 = Buffer.concat([Buffer.from(`${before}`), Buffer.from([0xe9]), Buffer.from(`${after}`)]);
    await writeFile(
      join(dir, 'input.jsonl'),
      Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), latin1, Buffer.from('\n')]),
    );

    // Act
    const result = await residency([
      'run',
      '--input',
      join(dir, 'input.jsonl'),
      '--data-dir',
      join(dir, 'data'),
      '--report',
      join(dir, 'report.json'),
    ]);
    runOutput = result.stdout + result.stderr;
    expect(result.code, runOutput).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    const exportResult = await residency([
      'export',
      '--data-dir',
      join(dir, 'data'),
      '--out',
      join(dir, 'export.jsonl'),
    ]);
    expect(exportResult.code, exportResult.stdout + exportResult.stderr).toBe(0);
    exported = await readFile(join(dir, 'export.jsonl'), 'utf8');
    // Records cross under ids the vault derives in region from the event ids: ask the run's vault.
    const stack = await local.startLocalStack({ dataDir: join(dir, 'data'), region: DEFAULT_REGION });
    try {
      const eventIds = [...clean, ...dirty, ...stripped].map((e) => String(e.eventId));
      const eventOf = await stackEventIdsByRecordId(stack.endpointsFile, eventIds);
      for (const [recordId, eventId] of eventOf) recordIdOf.set(eventId, recordId);
    } finally {
      await stack.stop();
    }
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('accounts for every line: sent + rejected = lines, forwarded + quarantined = sent', () => {
    // The blank line is not counted
    expect(report.lines).toBe(clean.length + dirty.length + stripped.length + 6);
    expect(report.sent + report.rejected.length).toBe(report.lines);
    expect(report.forwarded + report.quarantined.count).toBe(report.sent);
    expect(report.complete).toBe(true);
  });

  it('rejects the invalid lines with their line numbers and reasons, never their values', () => {
    const dirtyFirst = clean.length + 1;
    const first = clean.length + dirty.length + stripped.length + 1;
    expect(report.rejected.map((r) => r.line)).toEqual([
      dirtyFirst,
      dirtyFirst + 1,
      dirtyFirst + 2,
      first,
      first + 1,
      first + 2,
      first + 3,
      first + 4,
      first + 6,
    ]);
    // Personal data in a public field: refused by the producer, with the field and the rule.
    expect(report.rejected[0]?.reason).toMatch(/department: looks like personal data \(phone/);
    expect(report.rejected[1]?.reason).toMatch(/district: looks like personal data \(email/);
    expect(report.rejected[2]?.reason).toMatch(/department: looks like personal data \(phone/);
    expect(report.rejected[3]?.reason).toMatch(/phone/);
    expect(report.rejected[4]?.reason).toMatch(/waitDays/);
    expect(report.rejected[5]?.reason).toBe('not JSON');
    expect(report.rejected[7]?.reason).toMatch(/^eventId is the one line 1 gave/);
    expect(report.rejected[8]?.reason).toBe('not UTF-8');
    const text = JSON.stringify(report.rejected);
    for (const value of Object.values(HIDDEN)) expect(text).not.toContain(value);
    expect(text).not.toContain('01711');
    expect(text).not.toContain('soon');
  });

  it('forwards every clean event and none with personal data in public fields', () => {
    const records = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; record?: { recordId: string } })
      .filter((row) => row.kind === 'record')
      .map((row) => row.record?.recordId);
    expect(records).toHaveLength(clean.length + stripped.length);
    for (const event of [...clean, ...stripped])
      expect(records).toContain(recordIdOf.get(String(event.eventId)));
    for (const event of dirty) expect(records).not.toContain(recordIdOf.get(String(event.eventId)));
    // No event id crosses the border, not even a clean one.
    for (const event of [...clean, ...stripped]) expect(exported).not.toContain(String(event.eventId));
    expect(report.quarantined.count).toBe(0);
  });

  it('lets none of the hidden personal data, nor any clean identifier or sensitive value, cross the border', () => {
    const forbidden = [
      ...Object.values(HIDDEN),
      '01711234567',
      '+8801711234567',
      '01819234567',
      ...clean.flatMap((e) =>
        ['patientId', 'phone', 'email', 'nationalId', 'name', 'address', 'note', 'doctorId', 'appointmentId']
          .map((field) => e[field])
          .filter((v): v is string => typeof v === 'string'),
      ),
    ];
    for (const value of forbidden) expect(exported).not.toContain(value);
    for (const value of Object.values(HIDDEN)) expect(runOutput).not.toContain(value);
  });
});
