import { clinicbook, createInMemoryTokenPort, scanRecord } from '@residency/core';
import { describe, expect, it } from 'vitest';
import {
  createIngestHandler,
  createInMemoryAggregates,
  createInMemoryOutbox,
  createInMemoryQuarantine,
  type PipelineLogger,
  type PipelineMetrics,
} from '../src/index.ts';
import { booked, NOW_ON_TIME, registered } from './support/events.ts';
import { kinesisEvent, kinesisRecord } from './support/kinesis-events.ts';

// One batch of hostile records through the real ingest handler on in-memory ports: each record
// ends forwarded (as a strict outbound record) or quarantined with a reason, none fails the batch,
// and no log line, metric or quarantine field (but the sealed payload) carries a planted value.

const EMAIL = 'rahim.uddin@example.org';
const PHONE = '01711234567';
const PLANTED = [EMAIL, PHONE, '1711234567'];

const raw = (event: Record<string, unknown>, key: string, rawValue: string) =>
  `${JSON.stringify(event).slice(0, -1)},${JSON.stringify(key)}:${rawValue}}`;

function setup() {
  const outbox = createInMemoryOutbox();
  const quarantine = createInMemoryQuarantine();
  const lines: string[] = [];
  const log = (level: string) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...attributes }));
  };
  const logger: PipelineLogger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const metrics: PipelineMetrics = {
    count: (name, value, dimensions) => lines.push(JSON.stringify({ name, value, dimensions })),
    flush: () => undefined,
  };
  const tokenPort = createInMemoryTokenPort();
  const handler = createIngestHandler({
    catalog: clinicbook,
    tokenPort,
    outbox,
    quarantine,
    aggregates: createInMemoryAggregates({ allowedLatenessSeconds: 10_000 * 365 * 86_400 }),
    logger,
    metrics,
    clock: { nowMillis: () => NOW_ON_TIME },
  });
  return { handler, outbox, quarantine, lines, tokenPort };
}

/** The event id a payload carries, if it parses and has one. */
function eventIdIn(payload: string | Uint8Array): string | undefined {
  try {
    const id = (JSON.parse(Buffer.from(payload).toString('utf8')) as { eventId?: unknown }).eventId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one batch of raw payloads; answers what became of each, by index. */
async function ingest(payloads: ReadonlyArray<string | Uint8Array>) {
  const { handler, outbox, quarantine, lines, tokenPort } = setup();
  const event = kinesisEvent([]);
  event.Records = payloads.map((p, i) =>
    kinesisRecord(Buffer.from(p).toString('base64'), String(1000 + i), undefined, { raw: true }),
  );
  const response = await handler(event);
  // Keyed by event id: a record crosses under the id the port derives from it.
  const records = outbox.entries.flatMap((e) => (e.message.kind === 'record' ? [e.message.record] : []));
  const ids = payloads.flatMap((p) => eventIdIn(p) ?? []);
  const derived = await tokenPort.recordIds(ids);
  const eventOf = new Map(derived.map((recordId, i) => [recordId, ids[i] as string]));
  const forwarded = new Map(
    records.map((record) => [eventOf.get(record.recordId) ?? `unattributed:${record.recordId}`, record]),
  );
  const quarantined = payloads.map((_, i) => quarantine.entries.get(`shardId-000000000000#${1000 + i}`));
  return { response, forwarded, quarantined, lines };
}

describe('ingest handler against a batch of hostile records', () => {
  it('accounts for every record, forwards only strict records, and says no planted value anywhere', async () => {
    // Prepare: each input with the event id it would be forwarded under (if any)
    const ids = Array.from(
      { length: 64 },
      (_, i) => `6f1d2c3b-0a49-4e58-8a7b-${String(i).padStart(12, '0')}`,
    );
    const inputs: Array<{ payload: string | Uint8Array; id?: string; forward?: boolean }> = [
      {
        payload: raw(booked({ eventId: ids[0] }), '__proto__', '{"polluted":"yes"}'),
        id: ids[0],
        forward: true,
      },
      { payload: raw(booked({ eventId: ids[1], patientId: 'x' }), 'patientId', '"P-\\ud800"'), id: ids[1] },
      { payload: raw(booked({ eventId: ids[2], department: 'x' }), 'department', `"${PHONE}"`), id: ids[2] },
      { payload: JSON.stringify(registered({ eventId: ids[3], district: EMAIL })), id: ids[3] },
      { payload: JSON.stringify(booked({ eventId: ids[4], type: EMAIL })), id: ids[4] },
      { payload: JSON.stringify(booked({ eventId: ids[5], type: PHONE })), id: ids[5] },
      { payload: JSON.stringify(booked({ eventId: EMAIL })) },
      { payload: JSON.stringify(booked({ eventId: ids[7], tenantId: PHONE })), id: ids[7] },
      { payload: raw(booked({ eventId: ids[8], waitDays: 0 }), 'waitDays', '1711234567'), id: ids[8] },
      { payload: raw(booked({ eventId: ids[9] }), EMAIL, `"${PHONE}"`), id: ids[9], forward: true },
      {
        payload: raw(booked({ eventId: ids[10], department: 'x' }), 'department', `{"${PHONE}":[[[1]]]}`),
        id: ids[10],
      },
      { payload: raw(booked({ eventId: ids[11], waitDays: 0 }), 'waitDays', '1e309'), id: ids[11] },
      {
        payload: raw(booked({ eventId: ids[12] }), 'x_deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
        id: ids[12],
        forward: true,
      },
      { payload: `${'{"a":'.repeat(10_000)}"${EMAIL}"${'}'.repeat(10_000)}` },
      {
        payload: Buffer.concat([
          Buffer.from(`{"type":"${EMAIL}","x":"`),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
      },
      {
        payload: JSON.stringify(booked({ eventId: ids[15], department: `${EMAIL} `.repeat(100_000) })),
        id: ids[15],
      },
      {
        payload: JSON.stringify(booked({ eventId: ids[16], occurredAt: '9999-12-31T23:59:59-23:59' })),
        id: ids[16],
      },
      { payload: JSON.stringify(booked({ eventId: ids[17] })), id: ids[17], forward: true },
    ];

    // Act
    const { response, forwarded, quarantined, lines } = await ingest(inputs.map((i) => i.payload));

    // Assess: nothing failed the batch; each record is in exactly one place
    expect(response.batchItemFailures).toEqual([]);
    inputs.forEach((input, i) => {
      const sent = input.id ? forwarded.get(input.id) : undefined;
      expect([Boolean(sent), Boolean(quarantined[i])], `#${i}`).toEqual(
        input.forward ? [true, false] : [false, true],
      );
    });
    expect(forwarded.size).toBe(inputs.filter((i) => i.forward).length);
    for (const record of forwarded.values()) {
      expect(
        clinicbook.get(record.type, record.schemaVersion)?.outboundSchema.safeParse(record).success,
      ).toBe(true);
      expect(scanRecord({ kind: 'record', record })).toEqual([]);
    }

    // Assess: what the quarantine table, the logs and the metrics hold carries no planted value
    const seen = [
      ...lines,
      ...quarantined.map((entry) => {
        const { payload: _sealed, ...rest } = entry ?? { payload: undefined };
        return JSON.stringify(rest);
      }),
      ...[...forwarded.values()].map((record) => JSON.stringify(record)),
    ].join('\n');
    for (const planted of PLANTED) expect(seen).not.toContain(planted);
    expect(seen).not.toContain('polluted');
    expect(quarantined[4]?.eventType).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ingest handler against timestamps at the edges of ISO-8601', () => {
  // Four-digit years end at 9999-12-31T23:59:59.999Z; an offset moves a time past them, where
  // `toISOString` writes `+010000-01-01T...` and an hour would have come out as `+010000-01-01:00Z`.
  const quarantinedTimes: Array<[string, Record<string, unknown>]> = [
    ['occurredAt past year 9999 in UTC (offset -23:59)', { occurredAt: '9999-12-31T23:59:59-23:59' }],
    ['occurredAt before year 0000 in UTC (offset +23:59)', { occurredAt: '0000-01-01T00:00:00+23:59' }],
    ['slotStart past year 9999 in UTC (offset -00:01)', { slotStart: '9999-12-31T23:59:00-00:01' }],
    ['occurredAt at hour 24', { occurredAt: '2026-03-01T24:00:00Z' }],
    ['occurredAt on a leap second', { occurredAt: '2026-12-31T23:59:60Z' }],
    ['occurredAt with offset +24:00', { occurredAt: '2026-03-01T10:00:00+24:00' }],
    ['occurredAt without an offset', { occurredAt: '2026-03-01T10:00:00' }],
    ['occurredAt on 29 February of a common year', { occurredAt: '2025-02-29T10:00:00Z' }],
    ['occurredAt as epoch millis', { occurredAt: NOW_ON_TIME }],
    ['occurredAt of six-digit year', { occurredAt: '+010000-01-01T00:00:00Z' }],
  ];
  const forwardedTimes: Array<[string, Record<string, unknown>]> = [
    ['occurredAt at the last millisecond of 9999', { occurredAt: '9999-12-31T23:59:59.999Z' }],
    ['occurredAt at the first instant of 0000', { occurredAt: '0000-01-01T00:00:00Z' }],
    ['occurredAt with offset +23:59', { occurredAt: '2026-03-01T10:00:00+23:59' }],
    ['occurredAt with offset -00:00', { occurredAt: '2026-03-01T10:00:00-00:00' }],
    ['occurredAt with nine fraction digits', { occurredAt: '2026-03-01T10:00:00.123456789Z' }],
    ['slotStart at the last minute of 9999', { slotStart: '9999-12-31T23:59:00Z' }],
  ];

  it.each(quarantinedTimes)('quarantines %s', async (_label, overrides) => {
    // Act
    const { response, forwarded, quarantined } = await ingest([JSON.stringify(booked(overrides))]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(forwarded.size).toBe(0);
    expect(quarantined[0]?.reason).toBe('invalid');
    expect(quarantined[0]?.issues.map((i) => i.path)).toEqual(Object.keys(overrides));
  });

  it.each(forwardedTimes)('forwards %s as a strict record', async (_label, overrides) => {
    // Act
    const { response, forwarded, quarantined } = await ingest([JSON.stringify(booked(overrides))]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(quarantined[0]).toBeUndefined();
    const [record] = [...forwarded.values()];
    expect(record?.occurredHour).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z$/);
    expect(String(record?.attributes.slotStartHour)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z$/);
    expect(clinicbook.get('appointment.booked', 1)?.outboundSchema.safeParse(record).success).toBe(true);
  });

  it('quarantines a date of birth after the event or 130+ years before it, and keeps year 0000 out', async () => {
    const dates = ['2099-01-01', '0000-01-01', '1890-01-01', '2026-03-02'];
    const { forwarded, quarantined } = await ingest(
      dates.map((d) => JSON.stringify(registered({ dateOfBirth: d }))),
    );
    expect(forwarded.size).toBe(0);
    expect(quarantined.map((q) => q?.issues)).toEqual(
      dates.map(() => [{ path: 'dateOfBirth', code: 'not_generalizable' }]),
    );
  });
});
