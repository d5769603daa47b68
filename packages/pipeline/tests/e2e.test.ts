import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClients, createAwsClients } from '@residency/aws';
import { clinicbook, normalizeIdentifier, type OutboundRecord, OutboxMessageSchema } from '@residency/core';
import { mergeCellPartials } from '@residency/core/aggregates';
import {
  createEventSourceMapping,
  createMemoryFailureDestination,
  type KinesisHandler,
} from '@residency/local';
import { clinicbookEvent } from '@residency/testing';
import { createVault, type Vault } from '@residency/vault';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoAggregateStore,
  createDynamoQuarantine,
  createDynamoWindowStore,
  createEmfMetrics,
  createIngestHandler,
  createKinesisOutbox,
  createKmsPayloadEncryptor,
  createPowertoolsLogger,
  createWindowCloser,
  type OutboxPort,
  type PipelineLogger,
  type PipelineMetrics,
  type QuarantineItem,
  type WindowStore,
} from '../src/index.ts';
import { cellKey, type ReferenceCell, referenceAggregates } from './support/reference.ts';
import {
  captureOutput,
  type OutputCapture,
  putPayloads,
  readOutboxMessages,
  scanAll,
  startTestStack,
  type TestStack,
} from './support/stack.ts';

const BASE = Date.UTC(2026, 2, 1, 10, 0, 0);
// 10:02:30: both windows (10:00, 10:01) are within their allowed lateness (120 s).
const INGEST_NOW = { nowMillis: () => BASE + 150_000 };
// 10:10: both windows are due (end + 120 s lateness + 60 s grace).
const CLOSE_NOW = { nowMillis: () => BASE + 600_000 };
const K_TENANT = 'kb-clinic-01';

/** Valid events: random ClinicBook events, and two cells around the k boundary (10 and 9 patients, 2 events each). */
function validEvents(): Array<Record<string, unknown>> {
  const random = fc.sample(clinicbookEvent, { numRuns: 160, seed: 42 }) as Array<Record<string, unknown>>;
  const spread = random.map((event, i) => ({
    ...event,
    occurredAt: new Date(BASE + ((i * 733) % 120_000)).toISOString(),
  }));
  const kCell = (department: string, patients: number) =>
    Array.from({ length: patients * 2 }, (_, i) => ({
      eventId: randomUUID(),
      type: 'appointment.booked',
      schemaVersion: 1,
      occurredAt: new Date(BASE + 5_000 + i * 1000).toISOString(),
      tenantId: K_TENANT,
      patientId: `P-K${department}-${String(i % patients).padStart(4, '0')}`,
      doctorId: 'D-00000001',
      appointmentId: `A-${randomUUID().slice(0, 8)}`,
      department,
      slotStart: '2026-03-05T09:00:00+06:00',
      channel: 'web',
      waitDays: i % 13,
    }));
  return [...spread, ...kCell('cardiology', 10), ...kCell('general', 9)];
}

/** Records that must be quarantined; several carry identifiers that must never reach a log. */
function malformedPayloads(): Uint8Array[] {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  return [
    Buffer.from('patient P-77777777 phone 01719999999 not json'),
    Buffer.from([0xff, 0xfe, 0x00, 0x41]),
    json([1, 2, 3]),
    json({ type: 'patient.teleported', schemaVersion: 1, patientId: 'P-66666666', phone: '01718888888' }),
    json({
      eventId: randomUUID(),
      type: 'appointment.booked',
      schemaVersion: 1,
      occurredAt: '2026-03-01T16:00:10+06:00',
      tenantId: 'dhk-mirpur-01',
      patientId: 'P-55555555',
      doctorId: 'D-5',
      appointmentId: 'A-5',
      department: 'cardiology',
      slotStart: '2026-03-02T09:00:00+06:00',
      channel: 'app',
      waitDays: 'soon',
    }),
    json({
      eventId: randomUUID(),
      type: 'patient.registered',
      schemaVersion: 1,
      occurredAt: '2026-03-01T16:00:20+06:00',
      tenantId: 'dhk-mirpur-01',
      patientId: 'P-44444444',
      phone: '01717777777',
      email: 'not-an-email@',
      name: 'Shirin Akter',
      address: 'Flat 3B, Dhanmondi',
      dateOfBirth: '1990-01-02',
      gender: 'female',
      district: 'Dhaka',
    }),
  ];
}

/** Fails the first delivery of every 11th outbox entry: failures in the middle of batches. */
function flakyOutbox(outbox: OutboxPort): OutboxPort {
  const seen = new Set<string>();
  let n = 0;
  return {
    async send(entries) {
      const results = await outbox.send(entries);
      return results.map((result, i) => {
        const entry = entries[i];
        const id = entry?.message.kind === 'record' ? entry.message.record.recordId : '';
        if (seen.has(id)) return result;
        seen.add(id);
        n += 1;
        return n % 11 === 5 ? { ok: false, errorCode: 'InternalFailure' } : result;
      });
    },
  };
}

/**
 * A DynamoDB client whose partial writes fail half way through a batch: every 3rd BatchWriteItem of
 * pages of partials fails as a whole, and every 3rd after that leaves its second half (or its only
 * page) unprocessed.
 */
function flakyDynamo(region: string, endpoint: string): AwsClients & { injected(): number } {
  type Put = { PutRequest?: { Item?: { pk?: { S?: string }; sk?: { S?: string } } } };
  const clients = createAwsClients({ region, endpoints: { dynamodb: endpoint } });
  let calls = 0;
  let injected = 0;
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems?: Record<string, Put[]> };
      const [table, puts] = Object.entries(input.RequestItems ?? {})[0] ?? [];
      const partials = puts?.some((put) => put.PutRequest?.Item?.sk?.S?.startsWith('G#')) === true;
      if (!table || !puts || !partials) return next(args);
      calls += 1;
      if (calls % 3 === 1) {
        injected += puts.length;
        throw Object.assign(new Error('injected'), { name: 'InjectedFailure' });
      }
      if (calls % 3 === 2) return next(args);
      // A batch usually puts its partials on one page: then that page is left unprocessed. The
      // answer is read above the document client's unmarshalling, so its keys are plain
      const kept = puts.slice(0, Math.floor(puts.length / 2));
      const unprocessed = puts.slice(kept.length).map((put) => ({
        PutRequest: { Item: { pk: put.PutRequest?.Item?.pk?.S, sk: put.PutRequest?.Item?.sk?.S } },
      }));
      injected += unprocessed.length;
      const result =
        kept.length === 0
          ? { output: { $metadata: {} }, response: {} }
          : await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } });
      const output = result.output as { UnprocessedItems?: Record<string, unknown[]> };
      output.UnprocessedItems = { [table]: [...(output.UnprocessedItems?.[table] ?? []), ...unprocessed] };
      return result as Awaited<ReturnType<typeof next>>;
    },
    { step: 'build', name: 'injectPartialWriteFailures' },
  );
  return Object.assign(clients, { injected: () => injected });
}

async function aggregatesIn(windows: WindowStore): Promise<Map<string, ReferenceCell>> {
  const out = new Map<string, ReferenceCell>();
  for (const window of await windows.listOpenWindows()) {
    const state = await windows.readWindow(window);
    for (const cell of mergeCellPartials(await windows.readPartials(window, state.shardIds))) {
      const metrics: ReferenceCell['metrics'] = {};
      for (const [name, m] of Object.entries(cell.partial.metrics)) {
        metrics[name] = { sum: m.sum, min: m.min, max: m.max, counts: [...m.counts] };
      }
      out.set(cellKey(window.startMillis, cell.group.tenantId, cell.group.type, cell.group.dimensions), {
        count: cell.partial.count,
        distinctSubjects: cell.partial.subjects.length,
        metrics,
      });
    }
  }
  return out;
}

describe('pipeline end to end through the local runtime', () => {
  let env: TestStack;
  let output: OutputCapture;
  let logger: PipelineLogger;
  let metrics: PipelineMetrics;
  let flakyClients: AwsClients & { injected(): number };
  let vault: Vault;
  const valid = validEvents();
  const malformed = malformedPayloads();
  let handler: KinesisHandler;
  let windows: WindowStore;
  const names = { events: '', outbox: '', quarantine: '', aggregates: '' };

  beforeAll(async () => {
    env = await startTestStack();
    const file = env.stack.endpointsFile;
    names.events = file.streams.events ?? '';
    names.outbox = file.streams.outbox ?? '';
    names.quarantine = file.tables.quarantine ?? '';
    names.aggregates = file.tables.aggregates ?? '';
    output = captureOutput();
    logger = createPowertoolsLogger(new Logger({ serviceName: 'residency-ingest' }));
    metrics = createEmfMetrics(new Metrics({ namespace: 'Residency', serviceName: 'residency-ingest' }));
    flakyClients = flakyDynamo(file.region, file.endpoints.dynamodb);
    vault = createVault({
      clients: env.clients,
      region: file.region,
      keyArn: file.keyArn,
      tableName: file.tables.vault ?? '',
      auditTableName: file.tables.audit ?? '',
    });
    const ingest = createIngestHandler({
      catalog: clinicbook,
      tokenPort: vault,
      outbox: flakyOutbox(createKinesisOutbox({ kinesis: env.clients.kinesis, streamName: names.outbox })),
      quarantine: createDynamoQuarantine({
        documentClient: env.documentClient,
        tableName: names.quarantine,
        encryptor: createKmsPayloadEncryptor({ kms: env.clients.kms, keyArn: file.keyArn }),
      }),
      aggregates: createDynamoAggregateStore({
        documentClient: DynamoDBDocumentClient.from(flakyClients.dynamodb, {
          marshallOptions: { removeUndefinedValues: true },
        }),
        tableName: names.aggregates,
      }),
      logger,
      metrics,
      clock: INGEST_NOW,
    });
    handler = (event) => ingest(event);
    windows = createDynamoWindowStore({ documentClient: env.documentClient, tableName: names.aggregates });

    const payloads = [...valid.map((event) => Buffer.from(JSON.stringify(event))), ...malformed].map(
      (data) => ({ data, partitionKey: randomUUID() }),
    );
    // Interleave the malformed records with the valid ones.
    const ordered = payloads
      .map((p, i) => ({ p, key: i >= valid.length ? (i - valid.length) * 37 + 3 : i }))
      .sort((a, b) => a.key - b.key);
    await putPayloads(
      env.clients.kinesis,
      names.events,
      ordered.map((o) => o.p),
    );
  }, 120_000);

  afterAll(async () => {
    output?.restore();
    flakyClients?.destroy();
    await env?.stop();
  });

  async function runMapping(functionName: string) {
    const onFailure = createMemoryFailureDestination();
    const mapping = createEventSourceMapping({
      kinesis: env.clients.kinesis,
      streamName: names.events,
      handler,
      functionName,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 25,
      functionResponseTypes: ['ReportBatchItemFailures'],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 50,
      onFailure,
      idlePollMillis: 10,
      retryBaseDelayMillis: 1,
      retryMaxDelayMillis: 5,
      logger: { warn: (message) => logger.warn(`esm: ${message}`) },
    });
    await mapping.start();
    await mapping.drain({ timeoutMillis: 90_000 });
    const stats = mapping.stats();
    await mapping.stop();
    return { stats, onFailure };
  }

  it('forwards every valid event as a strict outbound record, quarantines the rest, and the counts add up', async () => {
    // Act
    const { stats, onFailure } = await runMapping('ingest');

    // Assess: failures were injected and retried, nothing was discarded
    expect(stats.partialFailures).toBeGreaterThan(0);
    expect(flakyClients.injected()).toBeGreaterThan(0);
    expect(stats.batchesDiscarded).toBe(0);
    expect(onFailure.records).toEqual([]);
    const messages = (await readOutboxMessages(env.clients.kinesis, names.outbox)).map((data) =>
      OutboxMessageSchema.parse(JSON.parse(Buffer.from(data).toString('utf8'))),
    );
    const records = messages.flatMap((m) => (m.kind === 'record' ? [m.record] : []));
    for (const record of records) {
      expect(
        clinicbook.get(record.type, record.schemaVersion)?.outboundSchema.safeParse(record).success,
      ).toBe(true);
    }
    const forwarded = new Set(records.map((r) => r.recordId));
    expect(forwarded).toEqual(new Set(await vault.recordIds(valid.map((e) => String(e.eventId)))));
    const quarantined = await scanAll<QuarantineItem>(env.documentClient, names.quarantine);
    expect(quarantined).toHaveLength(malformed.length);
    expect(quarantined.map((q) => q.reason).sort()).toEqual(
      ['invalid', 'invalid', 'not_an_object', 'not_base64_json', 'not_base64_json', 'unknown_type'].sort(),
    );
    expect(forwarded.size + quarantined.length).toBe(valid.length + malformed.length);
    for (const item of quarantined) {
      expect(item.payload.ciphertext.length).toBeGreaterThan(0);
      expect(JSON.stringify(item.issues)).not.toMatch(/\d{6,}/);
    }
  });

  it('keeps quarantined payloads encrypted in region; they open only under their own record context', async () => {
    // Prepare
    const [item] = (await scanAll<QuarantineItem>(env.documentClient, names.quarantine)).filter(
      (q) => q.reason === 'unknown_type',
    );
    const encryptor = createKmsPayloadEncryptor({
      kms: env.clients.kms,
      keyArn: env.stack.endpointsFile.keyArn,
    });
    const context = {
      shardId: item!.shardId,
      sequenceNumber: item!.sequenceNumber,
      eventSourceARN: item!.eventSourceARN,
    };

    // Act
    const opened = await encryptor.open(item!.payload, context);

    // Assess
    expect(JSON.parse(Buffer.from(opened).toString('utf8'))).toMatchObject({ patientId: 'P-66666666' });
    expect(Buffer.from(item!.payload.ciphertext).toString('utf8')).not.toContain('P-66666666');
    await expect(encryptor.open(item!.payload, { ...context, sequenceNumber: '1' })).rejects.toThrow(
      /does not open/,
    );
  });

  it('computes aggregates equal to a reference computed directly from the input, despite redeliveries', async () => {
    // Act
    const actual = await aggregatesIn(windows);

    // Assess
    expect(actual).toEqual(referenceAggregates(valid));
  });

  it('leaves the aggregates identical when the same shard range is replayed', async () => {
    // Prepare
    const before = await aggregatesIn(windows);
    const quarantinedBefore = (await scanAll(env.documentClient, names.quarantine)).length;

    // Act: a second mapping reads the whole stream again from TRIM_HORIZON
    const { stats } = await runMapping('ingest-replay');

    // Assess
    expect(stats.recordsSucceeded).toBe(valid.length + malformed.length);
    expect(await aggregatesIn(windows)).toEqual(before);
    expect(await aggregatesIn(windows)).toEqual(referenceAggregates(valid));
    expect((await scanAll(env.documentClient, names.quarantine)).length).toBe(quarantinedBefore);
  });

  it('releases a cell with k distinct subjects to the outbox and never one with k - 1; a second run releases nothing', async () => {
    // Prepare
    const closerMetrics = createEmfMetrics(
      new Metrics({ namespace: 'Residency', serviceName: 'residency-window-closer' }),
    );
    const closer = createWindowCloser({
      windows,
      outbox: createKinesisOutbox({ kinesis: env.clients.kinesis, streamName: names.outbox }),
      catalog: clinicbook,
      logger: createPowertoolsLogger(new Logger({ serviceName: 'residency-window-closer' })),
      metrics: closerMetrics,
      clock: CLOSE_NOW,
    });

    // Act
    const first = await closer.run();
    const second = await closer.run();

    // Assess
    expect(first.windows.map((w) => w.outcome)).toEqual(['released', 'released']);
    expect(first.suppressedCells).toBeGreaterThan(0);
    expect(second.windows).toEqual([]);
    const aggregates = (await readOutboxMessages(env.clients.kinesis, names.outbox))
      .map((data) => OutboxMessageSchema.parse(JSON.parse(Buffer.from(data).toString('utf8'))))
      .flatMap((m) => (m.kind === 'aggregate' ? [m.aggregate] : []));
    expect(aggregates).toHaveLength(first.releasedCells);
    for (const cell of aggregates) expect(cell.distinctSubjects).toBeGreaterThanOrEqual(10);
    const kCells = aggregates.filter((c) => c.tenantId === K_TENANT);
    expect(kCells.map((c) => c.dimensions)).toEqual([{ department: 'cardiology', channel: 'web' }]);
    expect(kCells[0]).toMatchObject({ count: 20, distinctSubjects: 10 });
    expect(new Set(aggregates.map((c) => c.cellId)).size).toBe(aggregates.length);
  });

  it('writes no identifier, sensitive value or token to any log line or metric', async () => {
    // Prepare: everything the run printed, and every value that must not be in it
    const text = output.text();
    const records = (await readOutboxMessages(env.clients.kinesis, names.outbox))
      .map((data) => OutboxMessageSchema.parse(JSON.parse(Buffer.from(data).toString('utf8'))))
      .flatMap((m) => (m.kind === 'record' ? [m.record] : [])) as OutboundRecord[];
    const tokens = new Set(
      records.flatMap((r) => [...Object.values(r.tokens), ...(r.subject ? [r.subject] : [])]),
    );
    const forbidden = new Set<string>(tokens);
    const sensitiveFields = ['name', 'address', 'note', 'reason', 'dateOfBirth', 'slotStart'];
    const identifierFields = ['patientId', 'doctorId', 'appointmentId', 'phone', 'email', 'nationalId'];
    for (const event of valid) {
      for (const field of [...identifierFields, ...sensitiveFields]) {
        const value = event[field];
        if (typeof value === 'string' && value.length >= 6) forbidden.add(value);
      }
      for (const field of ['phone', 'email', 'nationalId'] as const) {
        const value = event[field];
        const normalizer = field === 'phone' ? 'phone' : field === 'email' ? 'email' : 'nationalId';
        const normalized =
          typeof value === 'string' ? normalizeIdentifier(normalizer, value, { country: 'BD' }) : undefined;
        if (normalized?.ok) forbidden.add(normalized.value);
      }
    }
    for (const value of [
      'P-77777777',
      '01719999999',
      'P-66666666',
      '01718888888',
      'P-55555555',
      'P-44444444',
      '01717777777',
      'Shirin Akter',
      'Dhanmondi',
    ]) {
      forbidden.add(value);
    }

    // Assess: the run did log and emit metrics (EMF), and none of it contains a forbidden value
    const lines = text.split('\n').filter((line) => line.trim().length > 0);
    expect(lines.some((line) => line.includes('"batch processed"'))).toBe(true);
    expect(lines.some((line) => line.includes('"record quarantined"'))).toBe(true);
    expect(lines.some((line) => line.includes('"_aws"') && line.includes('RecordsForwarded'))).toBe(true);
    expect(lines.some((line) => line.includes('"_aws"') && line.includes('CellsReleased'))).toBe(true);
    const leaks = [...forbidden].filter((value) => text.includes(value));
    expect(leaks).toEqual([]);
    expect(forbidden.size).toBeGreaterThan(500);
  });
});
