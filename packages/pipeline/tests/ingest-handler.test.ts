import { clinicbook, createInMemoryTokenPort, OutboxMessageSchema, type TokenPort } from '@residency/core';
import { windowKeyOf } from '@residency/core/aggregates';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatePort,
  type AggregatePreparation,
  createIngestHandler,
  createInMemoryAggregates,
  createInMemoryMetrics,
  createInMemoryOutbox,
  createInMemoryQuarantine,
  KinesisEnvelopeError,
  silentLogger,
} from '../src/index.ts';
import { decodeBase64, isBase64 } from '../src/ingest/decode.ts';
import { booked, NOW_ON_TIME, registered } from './support/events.ts';
import { kinesisEvent, kinesisRecord } from './support/kinesis-events.ts';

function setup(overrides: { tokenPort?: TokenPort; aggregates?: AggregatePort } = {}) {
  const outbox = createInMemoryOutbox();
  const quarantine = createInMemoryQuarantine();
  const aggregates = createInMemoryAggregates();
  const metrics = createInMemoryMetrics();
  const tokenPort = overrides.tokenPort ?? createInMemoryTokenPort();
  const handler = createIngestHandler({
    catalog: clinicbook,
    tokenPort,
    outbox,
    quarantine,
    aggregates: overrides.aggregates ?? aggregates,
    logger: silentLogger,
    metrics,
    clock: { nowMillis: () => NOW_ON_TIME },
  });
  return { handler, outbox, quarantine, aggregates, metrics, tokenPort };
}

describe('createIngestHandler', () => {
  it('forwards valid events as strict outbound records and tokenizes the batch in one call', async () => {
    // Prepare
    const port = createInMemoryTokenPort();
    const { handler, outbox, metrics } = setup({ tokenPort: port });
    const events = [booked(), registered(), booked({ patientId: 'P-2' })];

    // Act
    const response = await handler(kinesisEvent(events));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(port.calls).toBe(1);
    expect(outbox.entries).toHaveLength(3);
    for (const entry of outbox.entries) {
      const message = OutboxMessageSchema.parse(entry.message);
      expect(message.kind).toBe('record');
      if (message.kind !== 'record') continue;
      expect(entry.partitionKey).toBe(message.record.subject);
      const def = clinicbook.get(message.record.type, 1);
      expect(def?.outboundSchema.safeParse(message.record).success).toBe(true);
    }
    // Each record under the id the port derives from its event id, never the event id itself.
    expect(outbox.entries.map((e) => (e.message.kind === 'record' ? e.message.record.recordId : ''))).toEqual(
      await port.recordIds(events.map((e) => String(e.eventId))),
    );
    for (const [i, entry] of outbox.entries.entries())
      expect(JSON.stringify(entry.message)).not.toContain(String(events[i]?.eventId));
    expect(metrics.total('RecordsForwarded')).toBe(3);
    expect(metrics.total('RecordsForwarded', { eventType: 'appointment.booked' })).toBe(2);
    expect(metrics.total('RecordsForwarded', { eventType: 'patient.registered' })).toBe(1);
  });

  it('quarantines undecodable, unknown and invalid records with reasons, and never forwards them', async () => {
    // Prepare
    const { handler, outbox, quarantine, metrics } = setup();
    const event = {
      Records: [
        kinesisRecord('bm90IGpzb24=', '1', undefined, { raw: true }), // "not json"
        kinesisRecord('***', '2', undefined, { raw: true }),
        kinesisRecord([1, 2], '3'),
        kinesisRecord({ ...booked(), type: 'patient.teleported' }, '4'),
        kinesisRecord(booked({ waitDays: -1, phone: 'x' }), '5'),
        kinesisRecord(booked(), '6'),
      ],
    };

    // Act
    const response = await handler(event);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(outbox.entries).toHaveLength(1);
    const reasons = Object.fromEntries(
      [...quarantine.entries.values()].map((e) => [e.position.sequenceNumber, e.reason]),
    );
    expect(reasons).toEqual({
      '1': 'not_base64_json',
      '2': 'not_base64_json',
      '3': 'not_an_object',
      '4': 'unknown_type',
      '5': 'invalid',
    });
    const invalid = quarantine.entries.get('shardId-000000000000#5');
    expect(invalid?.issues).toEqual([{ path: 'waitDays', code: 'too_small' }]);
    expect(invalid?.eventType).toBe('appointment.booked');
    expect(quarantine.entries.get('shardId-000000000000#4')?.eventType).toBeUndefined();
    expect(metrics.total('RecordsQuarantined')).toBe(5);
    expect(metrics.total('RecordsQuarantined', { reason: 'not_base64_json' })).toBe(2);
  });

  it('reports outbox failures as batch item failures and applies aggregates only before the first one', async () => {
    // Prepare
    const { handler, outbox, aggregates } = setup();
    const events = [booked({ patientId: 'P-1' }), booked({ patientId: 'P-2' }), booked({ patientId: 'P-3' })];
    const batch = kinesisEvent(events);
    outbox.failNext(0);
    const realSend = outbox.send.bind(outbox);
    let call = 0;
    outbox.send = async (entries) => {
      call += 1;
      const results = await realSend(entries);
      // The second record fails on the first delivery only.
      return call === 1
        ? results.map((r, i) => (i === 1 ? { ok: false, errorCode: 'InternalFailure' } : r))
        : results;
    };

    // Act
    const first = await handler(batch);
    const redelivered = await handler({ Records: batch.Records.slice(1) });

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1001' }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    const [window] = await aggregates.listOpenWindows();
    const state = await aggregates.readWindow(window!);
    const cells = await aggregates.readPartials(window!, state.shardIds);
    expect(cells.map((c) => c.partial.count).reduce((a, b) => a + b, 0)).toBe(3);
    expect(cells.flatMap((c) => c.partial.subjects)).toHaveLength(3);
  });

  it('reports every valid record when tokenization fails, and still quarantines the malformed ones', async () => {
    // Prepare
    const failing: TokenPort = {
      tokenize: async () => {
        throw new Error('vault unavailable');
      },
      recordIds: async (ids) => createInMemoryTokenPort().recordIds(ids),
    };
    const { handler, quarantine, outbox, metrics } = setup({ tokenPort: failing });
    const event = {
      Records: [kinesisRecord([1], '7'), kinesisRecord(booked(), '8'), kinesisRecord(booked(), '9')],
    };

    // Act
    const response = await handler(event);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '8' }, { itemIdentifier: '9' }]);
    expect(metrics.total('RecordsRetried', { stage: 'tokenize' })).toBe(2);
    expect(metrics.total('RecordsQuarantined', { reason: 'not_an_object' })).toBe(1);
    expect(quarantine.entries.size).toBe(1);
    expect(outbox.entries).toHaveLength(0);
  });

  it('reports the records of aggregate writes that failed', async () => {
    // Prepare
    const aggregates: AggregatePort = {
      apply: async (_shard, observations) => ({
        applied: 0,
        late: 0,
        duplicates: 0,
        repeated: 0,
        retry: observations.slice(1).map((o) => o.sequenceNumber),
        lateByType: {},
      }),
    };
    const { handler } = setup({ aggregates });

    // Act
    const response = await handler(kinesisEvent([booked(), booked(), booked()], { firstSequence: 50 }));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '51' }, { itemIdentifier: '52' }]);
  });

  it('lets the aggregates read ahead per shard before tokenizing, and hands each shard its preparation', async () => {
    // Prepare: a port that records what it is asked, over the in-memory aggregates
    const log: string[] = [];
    const inner = createInMemoryTokenPort();
    const tokenPort: TokenPort = {
      tokenize: async (requests) => {
        log.push('tokenize');
        return inner.tokenize(requests);
      },
      recordIds: (ids) => inner.recordIds(ids),
    };
    const memory = createInMemoryAggregates();
    const preparations = new Map<string, AggregatePreparation>();
    const prepared: Array<{ shardId: string; windows: string[] }> = [];
    const given: Array<AggregatePreparation | undefined> = [];
    const aggregates: AggregatePort = {
      prepare: (shardId, windows) => {
        log.push(`prepare ${shardId}`);
        prepared.push({ shardId, windows: windows.map(windowKeyOf).sort() });
        const preparation = { shardId };
        preparations.set(shardId, preparation);
        return preparation;
      },
      apply: async (shardId, observations, options) => {
        log.push(`apply ${shardId}`);
        given.push(options.prepared);
        return memory.apply(shardId, observations, options);
      },
    };
    const { handler } = setup({ tokenPort, aggregates });
    const event = {
      Records: [
        kinesisRecord(booked(), '100', 'shardId-000000000001'),
        kinesisRecord(booked({ occurredAt: '2026-03-01T16:01:10+06:00' }), '101', 'shardId-000000000001'),
        kinesisRecord('not base64 at all', '102', 'shardId-000000000001', { raw: true }),
        kinesisRecord(booked(), '200', 'shardId-000000000002'),
      ],
    };

    // Act
    const response = await handler(event);

    // Assess: one read-ahead per shard, of the windows of its valid events, before tokenizing
    expect(response).toEqual({ batchItemFailures: [] });
    expect(log).toEqual([
      'prepare shardId-000000000001',
      'prepare shardId-000000000002',
      'tokenize',
      'apply shardId-000000000001',
      'apply shardId-000000000002',
    ]);
    expect(prepared).toEqual([
      {
        shardId: 'shardId-000000000001',
        windows: ['2026-03-01T10:00:00.000Z#60', '2026-03-01T10:01:00.000Z#60'],
      },
      { shardId: 'shardId-000000000002', windows: ['2026-03-01T10:00:00.000Z#60'] },
    ]);
    expect(given).toEqual([
      preparations.get('shardId-000000000001'),
      preparations.get('shardId-000000000002'),
    ]);
    expect(given[0]).toBe(preparations.get('shardId-000000000001'));
  });

  it('applies the aggregates as usual when their read-ahead throws', async () => {
    // Prepare
    const memory = createInMemoryAggregates();
    const aggregates: AggregatePort = {
      prepare: () => {
        throw new Error('read-ahead broke');
      },
      apply: (shardId, observations, options) => memory.apply(shardId, observations, options),
    };
    const { handler } = setup({ aggregates });

    // Act
    const response = await handler(kinesisEvent([booked(), booked()]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [window] = await memory.listOpenWindows();
    const partials = await memory.readPartials(window!, ['shardId-000000000000']);
    expect(partials.map((p) => p.partial.count)).toEqual([2]);
  });

  it('does not change aggregates when the same batch is delivered again', async () => {
    // Prepare
    const { handler, aggregates } = setup();
    const batch = kinesisEvent([booked({ patientId: 'P-1' }), booked({ patientId: 'P-2', waitDays: 40 })]);
    await handler(batch);
    const [window] = await aggregates.listOpenWindows();
    const before = await aggregates.readPartials(window!, ['shardId-000000000000']);

    // Act
    await handler(batch);

    // Assess
    expect(await aggregates.readPartials(window!, ['shardId-000000000000'])).toEqual(before);
  });

  it('throws on an event that is not a Kinesis event (a wiring bug, never silently dropped)', async () => {
    const { handler } = setup();
    await expect(handler({ Records: [{ nope: true }] } as never)).rejects.toBeInstanceOf(
      KinesisEnvelopeError,
    );
  });

  it('counts late events instead of applying them', async () => {
    // Prepare: the window 10:00 closed long ago by now
    const outbox = createInMemoryOutbox();
    const aggregates = createInMemoryAggregates();
    const metrics = createInMemoryMetrics();
    const handler = createIngestHandler({
      catalog: clinicbook,
      tokenPort: createInMemoryTokenPort(),
      outbox,
      quarantine: createInMemoryQuarantine(),
      aggregates,
      logger: silentLogger,
      metrics,
      clock: { nowMillis: () => Date.UTC(2026, 2, 1, 12, 0) },
    });

    // Act
    const response = await handler(kinesisEvent([booked(), booked()]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(outbox.entries).toHaveLength(2);
    expect(await aggregates.listOpenWindows()).toEqual([]);
    expect(metrics.total('LateEvents', { eventType: 'appointment.booked' })).toBe(2);
  });
});

describe('isBase64', () => {
  it('takes padded standard base64 only: whole groups of four, padding only at the end', () => {
    const valid = [
      '',
      'bm90IGpzb24=',
      'YWI=',
      'YQ==',
      'YWJj',
      'ab+/',
      Buffer.from([251, 255, 0]).toString('base64'),
    ];
    const invalid = ['***', 'YQ', 'YQ=', 'Y===', '====', 'YQ==YWJj', 'Y=Jj', 'ab-_', 'YWJj ', 'YW\nJj'];
    expect(valid.filter((s) => !isBase64(s))).toEqual([]);
    expect(invalid.filter((s) => isBase64(s))).toEqual([]);
  });

  it('agrees with the grammar of padded standard base64 on any string of base64-like characters', () => {
    // The grammar, as a pattern: what the decoder's length check must answer for every string.
    const grammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const character = fc.constantFrom(...'ABCYab019+/=-_ \n*é'.split(''));
    fc.assert(
      fc.property(fc.array(character, { maxLength: 16 }), (chars) => {
        const text = chars.join('');
        expect(isBase64(text)).toBe(grammar.test(text));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(decodeBase64(text)).toEqual(Buffer.from(bytes));
      }),
    );
  });
});
