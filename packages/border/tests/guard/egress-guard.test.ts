import {
  clinicbook,
  createInMemoryTokenPort,
  type OutboundRecord,
  type OutboxMessage,
  outboundRecordsOf,
  validateEvent,
} from '@residency/core';
import { clinicbookEvent } from '@residency/testing';
import {
  aggregateCell,
  bookedRecord,
  erasureNotice,
  kinesisEvent,
  newToken,
  recordMessage,
} from '@residency/testing/outbox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEgressGuard,
  createForwarder,
  createInMemoryEgressLog,
  createInMemoryQuarantine,
  MAX_VERDICT_PATH_LENGTH,
  MAX_VERDICT_PATHS,
} from '../../src/index.ts';

const guard = createEgressGuard();

describe('egress guard', () => {
  it('passes records, cells and erasure notices: tokens, event ids and timestamps do not trip the scan', () => {
    // Prepare
    const messages: OutboxMessage[] = [
      recordMessage(bookedRecord()),
      {
        kind: 'aggregate',
        aggregate: aggregateCell({ count: 234_567_890_124, distinctSubjects: 234_567_890_124, metrics: {} }),
      },
      { kind: 'aggregate', aggregate: aggregateCell() },
      erasureNotice([newToken(), newToken('phone')]),
    ];
    // Act
    const verdicts = messages.map((message) => guard.checkValue(message));
    // Assess
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, true]);
  });

  it.each([
    ['email', 'rahim@example.com'],
    ['phone', '+880 1711-234567'],
    ['ipv4', '10.20.30.40'],
  ])('blocks a %s in a public field, naming the rule and path only', (rule, value) => {
    // Prepare
    const message = recordMessage(bookedRecord({ department: value }));
    // Act
    const verdict = guard.checkValue(message);
    // Assess
    expect(verdict).toEqual({
      ok: false,
      reason: 'pii',
      rules: [rule],
      paths: ['$.record.attributes.department'],
      kind: 'record',
    });
  });

  it('blocks an unknown key as a schema failure, and personal data in a key as PII without the key', () => {
    // Prepare
    const extra = { ...recordMessage(bookedRecord()), debug: true };
    const keyed = recordMessage(bookedRecord({ attributes: { 'rahim@example.com': 'x' } }));
    // Act
    const schema = guard.checkValue(extra);
    const pii = guard.checkValue(keyed);
    // Assess
    expect(schema).toMatchObject({ ok: false, reason: 'schema' });
    expect(pii).toMatchObject({ ok: false, reason: 'pii', rules: ['email'] });
    expect(JSON.stringify(pii)).not.toContain('rahim');
  });

  it("blocks a record whose id is not one the ingest derives: an app's version 4 event id, forwarded as it is", () => {
    // Prepare: a v4 UUID whose last group is an Aadhaar number (the channel record ids close)
    const forwardedAsIs = recordMessage(bookedRecord({ recordId: '8f14e45f-ceea-467f-a5b1-234567890124' }));
    // Act, Assess
    expect(guard.checkValue(recordMessage(bookedRecord()))).toMatchObject({ ok: true });
    expect(guard.checkValue(forwardedAsIs)).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('names at most 64 paths of at most 256 characters, however many fail and however deep', async () => {
    // Prepare: 20,000 failing counts, and a PII hit at the end of a long key path
    const manyBad = {
      kind: 'aggregate',
      aggregate: aggregateCell({
        metrics: {
          waitDays: { sum: 0, min: 0, max: 0, bounds: [1], counts: Array.from({ length: 20_000 }, () => -1) },
        },
      }),
    };
    let deep: unknown = 'rahim.uddin@example.com';
    for (let i = 0; i < 55; i++) deep = { nestedLevel: deep };
    // Act
    const schema = guard.checkValue(manyBad);
    const pii = guard.checkValue({ kind: 'record', record: { note: deep } });
    // Assess
    expect(schema).toMatchObject({ ok: false, reason: 'schema' });
    expect(pii).toMatchObject({ ok: false, reason: 'pii', rules: ['email'] });
    for (const verdict of [schema, pii]) {
      if (verdict.ok) continue;
      expect(verdict.paths.length).toBeGreaterThan(0);
      expect(verdict.paths.length).toBeLessThanOrEqual(MAX_VERDICT_PATHS);
      for (const path of verdict.paths) expect(path.length).toBeLessThanOrEqual(MAX_VERDICT_PATH_LENGTH);
    }
    if (!schema.ok) expect(schema.paths).toHaveLength(MAX_VERDICT_PATHS);
    // The forwarder's quarantine entry for such a message stays small (DynamoDB takes 400 KB).
    const quarantine = createInMemoryQuarantine();
    const forwarder = createForwarder({
      transport: {
        allowedOrigins: ['https://cp.example.com'],
        post: async () => ({ kind: 'network-error', reason: 'x' }),
        close: () => undefined,
      },
      origin: 'https://cp.example.com',
      sealer: { seal: (batch) => ({ headers: {}, body: batch.body }) },
      egressLog: createInMemoryEgressLog(),
      quarantine,
    });
    const report = await forwarder.process(kinesisEvent([manyBad]));
    expect(report.quarantined).toBe(1);
    const [entry] = [...quarantine.entries.values()];
    expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThan(32 * 1024);
  });

  it('blocks a big number in a metric min (an event value), while sums and counts are exempt', () => {
    // Prepare
    const aadhaarLike = 234_567_890_124; // 12 digits with a valid Verhoeff check digit
    const metrics = {
      waitDays: { sum: aadhaarLike, min: aadhaarLike, max: 9, bounds: [0], counts: [aadhaarLike, 2] },
    };
    // Act
    const verdict = guard.checkValue({ kind: 'aggregate', aggregate: aggregateCell({ metrics }) });
    // Assess
    expect(verdict).toMatchObject({ ok: false, reason: 'pii', paths: ['$.aggregate.metrics.waitDays.min'] });
  });

  it('property: every record the pipeline maps from a valid ClinicBook event passes', async () => {
    // Prepare
    const tokens = createInMemoryTokenPort();
    // Act, Assess
    await fc.assert(
      fc.asyncProperty(clinicbookEvent, async (input) => {
        const result = validateEvent(clinicbook, input);
        if (!result.ok) return;
        const [record] = (await outboundRecordsOf(tokens, [result.event])) as [OutboundRecord];
        const verdict = guard.checkValue(recordMessage(record));
        expect(verdict.ok ? 'ok' : verdict).toBe('ok');
      }),
      { numRuns: 300 },
    );
  });
});
