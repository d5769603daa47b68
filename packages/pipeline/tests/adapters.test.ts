import {
  CreateStreamCommand,
  type KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { createAwsClients, createCallCounter } from '@residency/aws';
import { type OutboxMessage, OutboxMessageSchema, outboxMessagesOf } from '@residency/core';
import {
  type AggregateWindow,
  compareSequenceNumbers,
  type Observation,
  windowOf,
} from '@residency/core/aggregates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackIds } from '../src/aggregates/event-log.ts';
import { entriesOf } from '../src/aggregates/items.ts';
import {
  COMPACT_RATIO,
  createDynamoAggregateStore,
  createDynamoQuarantine,
  createDynamoWindowStore,
  createKinesisOutbox,
  createKmsPayloadEncryptor,
  type EventLogItem,
  latestEntries,
  type PartialPageItem,
  type QuarantineEntry,
  type QuarantineItem,
} from '../src/index.ts';
import { readStream, scanAll, startTestStack, type TestStack } from './support/stack.ts';

const noWait = { nowMillis: () => 0, sleep: async () => undefined, random: () => 0 };

function erasure(i: number): OutboxMessage {
  return {
    kind: 'erasure',
    erasure: {
      schema: 'residency.erasure.v1',
      noticeId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      erasedAt: '2026-03-01T10:00:00.000Z',
      tokens: ['pat_0123456789ABCDEFGHJKMNPQRS'],
    },
  };
}

/** A Kinesis client on top of the real one that rejects the chosen entries of the first `rounds` calls. */
function throttling(real: KinesisClient, reject: (call: number, index: number) => boolean): KinesisClient {
  let call = 0;
  return {
    async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      call += 1;
      const records = command.input.Records ?? [];
      const keep = records.filter((_, i) => !reject(call, i));
      const output = keep.length
        ? await real.send(new PutRecordsCommand({ ...command.input, Records: keep }))
        : ({ Records: [], $metadata: {} } as unknown as PutRecordsCommandOutput);
      const accepted = [...(output.Records ?? [])];
      return {
        ...output,
        Records: records.map((_, i) =>
          reject(call, i)
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
            : accepted.shift()!,
        ),
      } as PutRecordsCommandOutput;
    },
  } as unknown as KinesisClient;
}

/** Event `i` of a `note.added` cell, by patient `patient`, at a sequence number. */
function noteAdded(
  window: AggregateWindow,
  tenantId: string,
  i: number,
  patient: number,
  sequence: number,
): Observation {
  return {
    sequenceNumber: String(sequence),
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    window,
    group: { catalog: 'clinicbook', type: 'note.added', tenantId, dimensions: {} },
    subject: `pat_${String(patient).padStart(26, '0')}`,
    metrics: {},
  };
}

describe('adapters against the local emulators', () => {
  let env: TestStack;
  beforeAll(async () => {
    env = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('the Kinesis outbox retries only the entries Kinesis rejected, until each is in the stream once', async () => {
    // Prepare: one message per record, so that each entry is a record Kinesis can reject alone.
    const streamName = env.stack.endpointsFile.streams.outbox ?? '';
    const kinesis = throttling(env.clients.kinesis, (call, i) => call <= 2 && i % 3 === call - 1);
    const outbox = createKinesisOutbox({ kinesis, streamName, maxRecordBytes: 1, retryEnvironment: noWait });
    const entries = Array.from({ length: 10 }, (_, i) => ({ partitionKey: `k${i}`, message: erasure(i) }));

    // Act
    const results = await outbox.send(entries);

    // Assess
    expect(results.every((r) => r.ok)).toBe(true);
    const inStream = (await readStream(env.clients.kinesis, streamName)).map((d) =>
      OutboxMessageSchema.parse(JSON.parse(Buffer.from(d).toString('utf8'))),
    );
    const ids = inStream.flatMap((m) => (m.kind === 'erasure' ? [m.erasure.noticeId] : []));
    expect(ids.sort()).toEqual(
      entries.map((e) => (e.message.kind === 'erasure' ? e.message.erasure.noticeId : '')).sort(),
    );
  });

  it('the Kinesis outbox returns a failed result, not an exception, when retries run out', async () => {
    const streamName = env.stack.endpointsFile.streams.outbox ?? '';
    const kinesis = throttling(env.clients.kinesis, (_call, i) => i === 0);
    const outbox = createKinesisOutbox({
      kinesis,
      streamName,
      maxRecordBytes: 1,
      retry: { maxAttempts: 3 },
      retryEnvironment: noWait,
    });
    const results = await outbox.send([
      { partitionKey: 'a', message: erasure(100) },
      { partitionKey: 'b', message: erasure(101) },
    ]);
    expect(results[0]).toEqual({ ok: false, errorCode: 'ProvisionedThroughputExceededException' });
    expect(results[1]?.ok).toBe(true);
  });

  it('the Kinesis outbox packs messages into records in order, and sends a rejected record again whole', async () => {
    // Prepare: a stream of its own, so that only these records are read back.
    const streamName = 'outbox-packing';
    await env.clients.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilStreamExists({ client: env.clients.kinesis, maxWaitTime: 30 }, { StreamName: streamName });
    const kinesis = throttling(env.clients.kinesis, (call, i) => call === 1 && i === 1);
    const maxRecordBytes = 1_000;
    const outbox = createKinesisOutbox({ kinesis, streamName, maxRecordBytes, retryEnvironment: noWait });
    const entries = Array.from({ length: 40 }, (_, i) => ({
      partitionKey: `k${i}`,
      message: erasure(200 + i),
    }));
    const big = erasure(300);
    if (big.kind === 'erasure')
      big.erasure.tokens = Array.from({ length: 40 }, () => 'pat_0123456789ABCDEFGHJKMNPQRS');
    entries.splice(20, 0, { partitionKey: 'big', message: big });

    // Act
    const results = await outbox.send(entries);

    // Assess: every message once, in order, in records of at most maxRecordBytes (the big one alone)
    expect(results.every((r) => r.ok)).toBe(true);
    const records = await readStream(env.clients.kinesis, streamName);
    const lines = records.map((data) => outboxMessagesOf(data).map((m) => Buffer.from(m).toString('utf8')));
    const sent = entries.map((e) => JSON.stringify(e.message));
    const inOrder = [...lines].sort((a, b) => sent.indexOf(a[0] ?? '') - sent.indexOf(b[0] ?? ''));
    expect(inOrder.flat()).toEqual(sent);
    expect(records.length).toBeLessThan(entries.length / 4);
    const alone = lines.findIndex((record) =>
      record.some((line) => line.includes('"00000000-0000-4000-8000-000000000300"')),
    );
    expect(lines[alone]).toHaveLength(1);
    for (const [i, data] of records.entries())
      if (i !== alone) expect(data.byteLength).toBeLessThanOrEqual(maxRecordBytes);
    // The messages of one record share its result; the record rejected once was put again after the others.
    const sequences = results.map((r) => (r.ok ? r.sequenceNumber : ''));
    expect(new Set(sequences).size).toBe(records.length);
    expect(sequences[0]).toBe(sequences[1]);
    const second = lines[0]?.length ?? 0;
    expect(
      compareSequenceNumbers(sequences[second] as string, sequences[sequences.length - 1] as string),
    ).toBe(1);
  });

  it('the quarantine overwrites a redelivered record in place and keeps issues without values', async () => {
    // Prepare
    const tableName = env.stack.endpointsFile.tables.quarantine ?? '';
    const quarantine = createDynamoQuarantine({
      documentClient: env.documentClient,
      tableName,
      encryptor: createKmsPayloadEncryptor({ kms: env.clients.kms, keyArn: env.stack.endpointsFile.keyArn }),
    });
    const entry: QuarantineEntry = {
      position: {
        shardId: 'shardId-000000000007',
        sequenceNumber: '4242',
        eventSourceARN: 'arn:aws:kinesis:ap-south-1:000000000000:stream/residency-events',
        arrivalMillis: Date.UTC(2026, 2, 1, 23, 59, 59),
      },
      reason: 'invalid',
      issues: [{ path: 'waitDays', code: 'invalid_type' }],
      eventType: 'appointment.booked',
      payload: Buffer.from('{"patientId":"P-31415926"}'),
      receivedAtMillis: Date.UTC(2026, 2, 2, 0, 0, 5),
    };

    // Act
    const first = await quarantine.put([entry]);
    const again = await quarantine.put([
      { ...entry, receivedAtMillis: entry.receivedAtMillis + 1000 },
      entry,
    ]);

    // Assess
    expect(first).toEqual([{ ok: true }]);
    expect(again).toEqual([{ ok: true }, { ok: true }]);
    const items = (await scanAll<QuarantineItem>(env.documentClient, tableName)).filter(
      (i) => i.sequenceNumber === '4242',
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      pk: expect.stringMatching(/^Q#2026-03-01#[0-9a-f]$/),
      sk: 'shardId-000000000007#4242',
      reason: 'invalid',
      issues: [{ path: 'waitDays', code: 'invalid_type' }],
      payloadBytes: 26,
      payloadTruncated: false,
      // kept 30 days after the delivery the item holds (the table's TTL deletes it then)
      expiresAt: entry.receivedAtMillis / 1000 + 30 * 86_400,
    });
    expect(JSON.stringify(items[0])).not.toContain('P-31415926');
  });

  it('the aggregate store counts each event once when a timed-out delivery and its retry of one batch overlap', async () => {
    // Prepare: two stores (two invocations of the same records: a timed-out one still writing, and
    // its retry) on one table. The puts are unconditional (one writer per shard); both deliveries
    // plan from the same fence, so they put the same items and either may land last.
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const a = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const b = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const window = windowOf(Date.UTC(2026, 4, 1, 8, 0, 10), 60);
    const observations: Observation[] = Array.from({ length: 30 }, (_, i) => ({
      sequenceNumber: String(10_000 + i),
      window,
      group: { catalog: 'clinicbook', type: 'note.added', tenantId: `race-${i % 3}`, dimensions: {} },
      subject: `pat_${String(i % 7).padStart(26, '0')}`,
      metrics: {},
    }));
    const now = { nowMillis: Date.UTC(2026, 4, 1, 8, 1) };

    // Act
    const [ra, rb] = await Promise.all([
      a.apply('shardId-000000000009', observations, now),
      b.apply('shardId-000000000009', observations, now),
    ]);
    // Lambda redelivers from the lowest retried record
    const retried = [...ra.retry, ...rb.retry].sort();
    if (retried.length > 0) {
      const from = observations.findIndex((o) => retried.includes(o.sequenceNumber));
      const redelivered = await a.apply('shardId-000000000009', observations.slice(from), now);
      expect(redelivered.retry).toEqual([]);
    }

    // Assess
    expect(ra.applied + rb.applied + ra.duplicates + rb.duplicates).toBeGreaterThanOrEqual(30);
    const windows = createDynamoWindowStore({ documentClient: env.documentClient, tableName });
    const state = await windows.readWindow(window);
    const partials = await windows.readPartials(window, state.shardIds);
    expect(partials.reduce((sum, p) => sum + p.partial.count, 0)).toBe(30);
    expect(state).toMatchObject({ status: 'open', shardIds: ['shardId-000000000009'], lateEvents: 0 });
  });

  it('the aggregate store puts touched partials 25 to a call, and a replay of the batch writes nothing', async () => {
    // Prepare: 60 cells (tenants) of one window, two events each, in one batch
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const counter = createCallCounter();
    const clients = createAwsClients(env.stack.endpointsFile);
    counter.attach(clients.dynamodb);
    const store = createDynamoAggregateStore({
      documentClient: DynamoDBDocumentClient.from(clients.dynamodb),
      tableName,
    });
    const window = windowOf(Date.UTC(2026, 4, 4, 9, 0, 10), 60);
    const batch = Array.from({ length: 120 }, (_, i) =>
      noteAdded(window, `cells-${i % 60}`, i, i, 40_000 + i),
    );
    const now = { nowMillis: Date.UTC(2026, 4, 4, 9, 1) };
    const shard = 'shardId-000000000013';

    try {
      // Act
      const first = await store.apply(shard, batch, now);
      const firstCalls = counter.snapshot();
      counter.reset();
      const replay = await store.apply(shard, batch, now);
      const replayCalls = counter.snapshot();

      // Assess: 60 partials on one page in 1 call and the batch's event log in 1; registering the
      // window costs 3 more, and claiming the shard's partials of it 1
      expect([first.applied, first.retry.length]).toEqual([120, 0]);
      expect(firstCalls).toEqual({
        'DynamoDB.BatchGetItem': 1,
        'DynamoDB.BatchWriteItem': 2,
        'DynamoDB.PutItem': 1,
        'DynamoDB.UpdateItem': 3,
      });
      expect([replay.applied, replay.duplicates]).toEqual([0, 120]);
      expect(replayCalls).toEqual({ 'DynamoDB.BatchGetItem': 1 });
      const partials = await createDynamoWindowStore({
        documentClient: env.documentClient,
        tableName,
      }).readPartials(window, [shard]);
      expect(partials).toHaveLength(60);
      expect(partials.every((p) => p.partial.count === 2 && p.partial.subjects.length === 2)).toBe(true);
    } finally {
      clients.destroy();
    }
  });

  it('the aggregate store reads ahead when prepared, and reads for itself when the preparation does not serve', async () => {
    // Prepare: stores that count their BatchGetItem calls; the first read of `flaky` fails
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const reads = { main: 0, other: 0, flaky: 0 };
    let failNext = true;
    const counting = (name: keyof typeof reads) =>
      ({
        send: async (command: { input: unknown }) => {
          if (command instanceof BatchGetCommand) {
            reads[name] += 1;
            if (name === 'flaky' && failNext) {
              failNext = false;
              throw Object.assign(new Error('connection reset'), { name: 'ECONNRESET' });
            }
          }
          return env.documentClient.send(command as BatchGetCommand);
        },
      }) as unknown as DynamoDBDocumentClient;
    const noRetry = { retry: { maxAttempts: 1 }, retryEnvironment: noWait };
    const store = createDynamoAggregateStore({ documentClient: counting('main'), tableName });
    const other = createDynamoAggregateStore({ documentClient: counting('other'), tableName });
    const flaky = createDynamoAggregateStore({ documentClient: counting('flaky'), tableName, ...noRetry });
    const window = windowOf(Date.UTC(2026, 4, 7, 9, 0, 10), 60);
    const nextWindow = windowOf(Date.UTC(2026, 4, 7, 9, 1, 10), 60);
    const batch = (n: number, w = window) =>
      Array.from({ length: 10 }, (_, i) =>
        noteAdded(w, `ahead-${i % 3}`, 7_000 + n * 100 + i, n * 100 + i, 70_000 + n * 100 + i),
      );
    const now = { nowMillis: Date.UTC(2026, 4, 7, 9, 1, 30) };
    const shard = 'shardId-000000000021';
    const readsOf = async (name: keyof typeof reads, act: () => Promise<unknown>) => {
      const before = reads[name];
      await act();
      return reads[name] - before;
    };

    // Act and assess: a preparation that covers the batch is the batch's only read
    const prepared = store.prepare?.(shard, [window, nextWindow]);
    expect(prepared).toBeDefined();
    const results = [];
    expect(
      await readsOf('main', async () =>
        results.push(await store.apply(shard, batch(0), { ...now, prepared })),
      ),
    ).toBe(0);
    expect(reads.main).toBe(1);
    // Used once: the same preparation again does not serve
    expect(
      await readsOf('main', async () =>
        results.push(await store.apply(shard, batch(1), { ...now, prepared })),
      ),
    ).toBe(1);
    // One that lacks a window of the batch, one of another shard and one of another store do not
    // either: each batch reads for itself, besides the two read-aheads of this store
    const readsBefore = reads.main;
    const partial = store.prepare?.(shard, [window]);
    const elsewhere = store.prepare?.('shardId-000000000099', [window, nextWindow]);
    const foreign = other.prepare?.(shard, [window, nextWindow]);
    const spread = [...batch(2), ...batch(3, nextWindow)];
    for (const given of [partial, elsewhere, foreign]) {
      results.push(await store.apply(shard, spread, { ...now, prepared: given }));
    }
    expect(reads.main - readsBefore).toBe(2 + 3);
    expect(reads.other).toBe(1);
    // A read-ahead that failed: the batch reads again and goes on
    const failed = flaky.prepare?.(shard, [window]);
    const late = await flaky.apply(shard, batch(4), { ...now, prepared: failed });
    expect(reads.flaky).toBe(2);

    // Every event counted once: the later deliveries of batches 2 and 3 found them applied
    expect(results.map((r) => [r.applied, r.duplicates, r.retry.length])).toEqual([
      [10, 0, 0],
      [10, 0, 0],
      [20, 0, 0],
      [0, 20, 0],
      [0, 20, 0],
    ]);
    expect([late.applied, late.retry.length]).toEqual([10, 0]);
    const partials = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(partials.map((p) => p.partial.count).sort()).toEqual([12, 12, 16]);
  });

  it('the aggregate store reads no partial it put itself, and reads them again once another writer took the shard', async () => {
    // Prepare: two stores (two Lambda environments) on one table, each counting the keys it reads
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const keysRead = { a: 0, b: 0 };
    const pagesRead = { a: 0, b: 0 };
    const counting = (name: keyof typeof keysRead) =>
      ({
        send: (command: { input: unknown }) => {
          if (command instanceof BatchGetCommand)
            keysRead[name] += command.input.RequestItems?.[tableName]?.Keys?.length ?? 0;
          if (
            command instanceof QueryCommand &&
            command.input.ExpressionAttributeValues?.[':prefix'] === 'G#'
          )
            pagesRead[name] += 1;
          return env.documentClient.send(command as BatchGetCommand);
        },
      }) as unknown as DynamoDBDocumentClient;
    const a = createDynamoAggregateStore({ documentClient: counting('a'), tableName });
    const b = createDynamoAggregateStore({ documentClient: counting('b'), tableName });
    const window = windowOf(Date.UTC(2026, 4, 6, 9, 0, 10), 60);
    const batch = (n: number) =>
      Array.from({ length: 20 }, (_, i) =>
        noteAdded(window, `takeover-${i % 5}`, n * 100 + i, n * 100 + i, 60_000 + n * 100 + i),
      );
    const now = { nowMillis: Date.UTC(2026, 4, 6, 9, 1) };
    const shard = 'shardId-000000000015';

    // Act: a, a again (its own copies), b (takes the shard over), a again (its copies are stale)
    const reads = (name: keyof typeof keysRead): [number, number] => [keysRead[name], pagesRead[name]];
    const first = await a.apply(shard, batch(0), now);
    const [keysBefore, pagesBefore] = reads('a');
    const second = await a.apply(shard, batch(1), now);
    const readsOwn = [keysRead.a - keysBefore, pagesRead.a - pagesBefore];
    const taken = await b.apply(shard, batch(2), now);
    const readsTakeover = reads('b');
    const back = await a.apply(shard, batch(3), now);
    const readsBack = [keysRead.a - keysBefore - 2, pagesRead.a - pagesBefore];

    // Assess: the window and shard items only, then the pages again (one Query); nothing is lost
    expect([first, second, taken, back].map((r) => r.takeovers)).toEqual([0, 0, 1, 1]);
    expect([first, second, taken, back].map((r) => [r.applied, r.retry.length])).toEqual([
      [20, 0],
      [20, 0],
      [20, 0],
      [20, 0],
    ]);
    expect([readsOwn, readsTakeover, readsBack]).toEqual([
      [2, 0],
      [2, 1],
      [2, 1],
    ]);
    const partials = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(partials).toHaveLength(5);
    expect(partials.map((p) => [p.partial.count, p.partial.subjects.length])).toEqual(
      Array.from({ length: 5 }, () => [16, 16]),
    );
  });

  it('the aggregate store puts the subjects a batch adds to a cell, not its subjects again, and the closer reads them all', async () => {
    // Prepare: one cell over three batches: patients 0-4, then 3-7, then 0-7 again
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const store = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const window = windowOf(Date.UTC(2026, 4, 10, 9, 0, 10), 60);
    const patients = [
      [0, 1, 2, 3, 4],
      [3, 4, 5, 6, 7],
      [0, 1, 2, 3, 4, 5, 6, 7],
    ];
    let i = 0;
    const batches = patients.map((list) =>
      list.map((patient) => {
        i += 1;
        return noteAdded(window, 'delta-1', i, patient, 95_000 + i);
      }),
    );
    const now = { nowMillis: Date.UTC(2026, 4, 10, 9, 1) };
    const shard = 'shardId-000000000019';

    // Act
    for (const batch of batches) await store.apply(shard, batch, now);

    // Assess: the pages' entries, in order, hold 5, 3 and no subjects; the closer and another
    // writer read all 8
    const pages = (await scanAll<PartialPageItem>(env.documentClient, tableName))
      .filter((item) => item.pk.endsWith(`#${shard}`) && item.sk.startsWith('G#'))
      .sort((a, b) => (a.sk < b.sk ? -1 : 1));
    expect(pages.flatMap((page) => entriesOf(page).map((e) => e.subjects?.length ?? 0))).toEqual([5, 3, 0]);
    const partials = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(partials.map((p) => [p.partial.count, p.partial.subjects.length])).toEqual([[18, 8]]);
    const other = await createDynamoAggregateStore({ documentClient: env.documentClient, tableName }).apply(
      shard,
      [noteAdded(window, 'delta-1', 100, 8, 95_100)],
      now,
    );
    expect([other.applied, other.takeovers]).toEqual([1, 1]);
    const after = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(after.map((p) => [p.partial.count, p.partial.subjects.length])).toEqual([[19, 9]]);
  });

  it('the aggregate store compacts a (window, shard) whose pages outgrow its partials, and nothing is lost', async () => {
    // Prepare: small batches on the same 4 cells of one (window, shard), so that every batch's
    // page holds about all of the partials; the same 2 patients in each cell, but a new one in
    // compact-0 every batch (its pages add a subject each; the others' add none after the first),
    // a fifth cell only the first batch touches (a compaction must carry all of them over), and a
    // DynamoDB client that counts the pages deleted
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    let deleted = 0;
    const counting = {
      send: (command: { input: unknown }) => {
        if (command instanceof BatchWriteCommand)
          deleted += (command.input.RequestItems?.[tableName] ?? []).filter((r) => r.DeleteRequest).length;
        return env.documentClient.send(command as BatchWriteCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = createDynamoAggregateStore({ documentClient: counting, tableName });
    const window = windowOf(Date.UTC(2026, 4, 9, 9, 0, 10), 60);
    const batch = (n: number) => [
      ...Array.from({ length: 8 }, (_, i) =>
        noteAdded(
          window,
          `compact-${i % 4}`,
          n * 10 + i,
          i === 0 ? 1_000 + (n % 16) : i,
          90_000 + n * 10 + i,
        ),
      ),
      ...(n === 0 ? [noteAdded(window, 'compact-rare', 9_999, 9_999, 90_009)] : []),
    ];
    const now = { nowMillis: Date.UTC(2026, 4, 9, 9, 1) };
    const shard = 'shardId-000000000018';
    const pagesInTable = async () =>
      (await scanAll<{ pk: string; sk: string }>(env.documentClient, tableName)).filter(
        (i) => i.pk.endsWith(`#${shard}`) && i.sk.startsWith('G#'),
      ).length;

    // Act: enough batches to compact once in one environment (a page adds about 700 bytes, the
    // partials come to about 1,700), then one after a takeover
    const batches = 3 * COMPACT_RATIO;
    const applied: number[] = [];
    for (let n = 0; n < batches; n++) applied.push((await store.apply(shard, batch(n), now)).applied);
    const pagesAfter = await pagesInTable();
    const other = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const taken = await other.apply(shard, batch(batches), now);

    // Assess: older pages were deleted (the pages stay within COMPACT_RATIO + 1 of the partials),
    // and every event counts once, as the closer and a takeover read them
    expect(applied).toEqual([9, ...Array.from({ length: batches - 1 }, () => 8)]);
    expect([taken.applied, taken.takeovers]).toEqual([8, 1]);
    expect(deleted).toBeGreaterThan(COMPACT_RATIO);
    expect(pagesAfter).toBeLessThanOrEqual(COMPACT_RATIO + 1);
    const partials = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(
      partials.map((p) => [p.group.tenantId, p.partial.count, p.partial.subjects.length]).sort(),
    ).toEqual([
      ['compact-0', 2 * (batches + 1), 16 + 1],
      ...[1, 2, 3].map((c) => [`compact-${c}`, 2 * (batches + 1), 2]),
      ['compact-rare', 1, 1],
    ]);
  });

  it('the aggregate store leaves only an oversized partial unwritten, not the cells put in the same call', async () => {
    // Prepare: one cell whose dimension value makes its item larger than DynamoDB's 400 KB, and 30 small cells
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const store = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const window = windowOf(Date.UTC(2026, 4, 5, 9, 0, 10), 60);
    const big = Array.from({ length: 20 }, (_, i) => {
      const event = noteAdded(window, 'oversized', i, i, 50_000 + i);
      return { ...event, group: { ...event.group, dimensions: { note: 'x'.repeat(410 * 1024) } } };
    });
    const small = Array.from({ length: 30 }, (_, i) =>
      noteAdded(window, `small-${i}`, 3_000 + i, i, 52_000 + i),
    );
    const now = { nowMillis: Date.UTC(2026, 4, 5, 9, 1) };
    const shard = 'shardId-000000000014';

    // Act
    const result = await store.apply(shard, [...big, ...small], now);

    // Assess: the big cell's events are retried; the 30 others are stored
    expect(result.applied).toBe(30);
    expect(result.retry).toEqual(big.map((o) => o.sequenceNumber));
    const partials = await createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName,
    }).readPartials(window, [shard]);
    expect(partials.map((p) => p.group.tenantId).sort()).toEqual(small.map((o) => o.group.tenantId).sort());
  });

  it('the aggregate store seals the subjects of a big cell into chunks, and the window store reads them all', async () => {
    // Prepare: one cell with 9,000 distinct subjects of 220 bytes (about 2 MB) over three batches
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const options = { documentClient: env.documentClient, tableName };
    const window = windowOf(Date.UTC(2026, 4, 8, 9, 0, 10), 60);
    const event = (i: number) => ({
      ...noteAdded(window, 'crowded', i, i, 80_000 + i),
      subject: `pat_${String(i % 9_000).padStart(216, '0')}`,
    });
    const batches = [0, 1, 2].map((b) => Array.from({ length: 3_000 }, (_, i) => event(b * 3_000 + i)));
    const now = { nowMillis: Date.UTC(2026, 4, 8, 9, 1) };
    const shard = 'shardId-000000000017';

    // Act: two batches in one environment, the third after a takeover, then the first again
    const store = createDynamoAggregateStore(options);
    const results = [
      await store.apply(shard, batches[0] ?? [], now),
      await store.apply(shard, batches[1] ?? [], now),
    ];
    const other = createDynamoAggregateStore(options);
    results.push(
      await other.apply(shard, batches[2] ?? [], now),
      await other.apply(shard, batches[0] ?? [], now),
    );

    // Assess: every event once, every subject once, and the partial item far below 400 KB
    expect(results.map((r) => [r.applied, r.duplicates, r.retry.length])).toEqual([
      [3_000, 0, 0],
      [3_000, 0, 0],
      [3_000, 0, 0],
      [0, 3_000, 0],
    ]);
    const [partial] = await createDynamoWindowStore(options).readPartials(window, [shard]);
    expect(partial?.partial.count).toBe(9_000);
    expect(partial?.partial.subjects).toEqual(
      batches
        .flat()
        .map((o) => o.subject)
        .sort(),
    );
    const items = (
      await scanAll<{ pk: string; sk: string; sealedSubjects?: number; expiresAt?: number }>(
        env.documentClient,
        tableName,
      )
    ).filter((i) => i.pk.endsWith(`#${shard}`));
    const pages = items.filter((i) => i.sk.startsWith('G#')) as unknown as PartialPageItem[];
    const head = latestEntries(pages).get(partial?.cellId ?? '');
    expect(head?.sealedSubjects).toBeGreaterThanOrEqual(12);
    expect(Math.max(...pages.map((page) => page.cells.byteLength))).toBeLessThan(200 * 1024);
    // Each item expires by the table's TTL: partials and chunks 35 days after the window's end,
    // the event log a day after its allowed lateness (120 s)
    const end = (window.startMillis + window.seconds * 1000) / 1000;
    const expiry = (prefix: string) => [
      ...new Set(items.filter((i) => i.sk.startsWith(prefix)).map((i) => i.expiresAt)),
    ];
    expect([expiry('G#'), expiry('S#'), expiry('E#')]).toEqual([
      [end + 35 * 86_400],
      [end + 35 * 86_400],
      [end + 120 + 86_400],
    ]);
  });

  it('the aggregate store counts a producer repeat once and keeps every subject across batches', async () => {
    // Prepare: 12 events of 6 patients in one cell; events 3 and 7 are put again by the producer
    // (same event id, later sequence numbers), once in the same batch and once in the next one
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const store = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    const window = windowOf(Date.UTC(2026, 4, 2, 9, 0, 10), 60);
    const event = (i: number, sequence: number) => noteAdded(window, 'repeat-1', i, i % 6, sequence);
    const first = [...Array.from({ length: 6 }, (_, i) => event(i, 20_000 + i)), event(3, 20_006)];
    const second = [
      event(7, 20_010),
      ...Array.from({ length: 5 }, (_, i) => event(8 + i, 20_011 + i)),
      event(7, 20_016),
      event(3, 20_017),
    ];
    const now = { nowMillis: Date.UTC(2026, 4, 2, 9, 1) };
    const shard = 'shardId-000000000011';

    // Act: each batch, then both again (a redelivery after a crash)
    const results = [];
    for (const batch of [first, second, [...first, ...second]])
      results.push(await store.apply(shard, batch, now));

    // Assess
    expect(results.map((r) => [r.applied, r.repeated, r.retry.length])).toEqual([
      [6, 1, 0],
      [6, 2, 0],
      // the replay: every applied record is at or before the fence; the two repeats after it are held
      [0, 2, 0],
    ]);
    const windows = createDynamoWindowStore({ documentClient: env.documentClient, tableName });
    const partials = await windows.readPartials(window, [shard]);
    expect(partials).toHaveLength(1);
    expect(partials[0]?.partial.count).toBe(12);
    expect(partials[0]?.partial.subjects).toEqual(
      Array.from({ length: 6 }, (_, i) => `pat_${String(i).padStart(26, '0')}`),
    );
  });

  it('the aggregate store knows the latest repeats of a window and shard, and so does a store that takes the shard over', async () => {
    // Prepare: at most 4 recent ids per (window, shard); 10 events in batches of 2
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const options = { documentClient: env.documentClient, tableName, maxRecentEvents: 4 };
    const store = createDynamoAggregateStore(options);
    const window = windowOf(Date.UTC(2026, 4, 3, 9, 0, 10), 60);
    const event = (i: number, sequence: number) => noteAdded(window, `bounded-${i % 2}`, i, i, sequence);
    const now = { nowMillis: Date.UTC(2026, 4, 3, 9, 1) };
    const shard = 'shardId-000000000012';
    for (let i = 0; i < 10; i += 2)
      await store.apply(shard, [event(i, 30_000 + i), event(i + 1, 30_001 + i)], now);

    // Act: the four latest events come again, then one old enough to be forgotten; then another
    // environment takes the shard over and sees the two latest again
    const repeats = await store.apply(
      shard,
      [6, 7, 8, 9].map((i, n) => event(i, 30_100 + n)),
      now,
    );
    const old = await store.apply(shard, [event(0, 30_200)], now);
    const takeover = await createDynamoAggregateStore(options).apply(
      shard,
      [event(8, 30_300), event(9, 30_301), event(10, 30_302)],
      now,
    );

    // Assess: the repeats in both cells count once; the forgotten one twice
    expect([repeats.applied, repeats.repeated]).toEqual([0, 4]);
    expect([old.applied, old.repeated]).toEqual([1, 0]);
    expect([takeover.applied, takeover.repeated, takeover.retry]).toEqual([1, 2, []]);
    const partials = await createDynamoWindowStore(options).readPartials(window, [shard]);
    expect(partials.map((p) => p.partial.count).sort()).toEqual([5, 7]);
    const logged = (await scanAll<EventLogItem>(env.documentClient, tableName)).filter(
      (i) => i.pk.endsWith(`#${shard}`) && i.sk.startsWith('E#'),
    );
    expect(logged.reduce((sum, i) => sum + unpackIds(i).length, 0)).toBe(12);
  });

  it('the aggregate store retries events whose ids it could not log, and logs them when they come again', async () => {
    // Prepare: a client whose event log writes fail during the first delivery
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    let logDown = true;
    const flaky = {
      send: (command: { input: unknown }) => {
        const logWrite =
          command instanceof BatchWriteCommand && JSON.stringify(command.input).includes('"E#');
        if (logDown && logWrite)
          return Promise.reject(Object.assign(new Error('down'), { name: 'InternalServerError' }));
        return env.documentClient.send(command as BatchWriteCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    const options = { documentClient: flaky, tableName, retry: { maxAttempts: 1 } };
    const window = windowOf(Date.UTC(2026, 4, 7, 9, 0, 10), 60);
    const batch = [0, 1].map((i) => noteAdded(window, 'unlogged', i, i, 70_000 + i));
    const now = { nowMillis: Date.UTC(2026, 4, 7, 9, 1) };
    const shard = 'shardId-000000000016';
    const store = createDynamoAggregateStore(options);

    // Act: the first delivery, its redelivery, then a producer's repeat of event 0 in another environment
    const first = await store.apply(shard, batch, now);
    logDown = false;
    const again = await store.apply(shard, batch, now);
    const repeat = await createDynamoAggregateStore(options).apply(
      shard,
      [noteAdded(window, 'unlogged', 0, 0, 70_100)],
      now,
    );

    // Assess: counted once each, and the repeat is known
    expect([first.applied, first.retry]).toEqual([0, ['70000', '70001']]);
    expect([again.applied, again.duplicates, again.retry]).toEqual([0, 2, []]);
    expect([repeat.applied, repeat.repeated]).toEqual([0, 1]);
    const partials = await createDynamoWindowStore(options).readPartials(window, [shard]);
    expect(partials.map((p) => p.partial.count)).toEqual([2]);
  });

  it('the window store keeps the first epsilon ledger entry of a window (a retried release reuses its seed)', async () => {
    // Prepare
    const windows = createDynamoWindowStore({
      documentClient: env.documentClient,
      tableName: env.stack.endpointsFile.tables.aggregates ?? '',
    });
    const window = windowOf(Date.UTC(2026, 5, 1, 8, 0), 60);
    const entry = {
      mechanism: 'discrete-laplace',
      epsilon: 0.5,
      k: 10,
      composition: 'even split',
      seed: new Uint8Array(32).fill(7),
      recordedAtMillis: Date.UTC(2026, 5, 1, 8, 5),
    };

    // Act
    const first = await windows.recordLedger(window, entry);
    const second = await windows.recordLedger(window, {
      ...entry,
      epsilon: 2,
      seed: new Uint8Array(32).fill(9),
    });

    // Assess
    expect(first).toEqual(entry);
    expect(second).toMatchObject({ epsilon: 0.5, k: 10, recordedAtMillis: entry.recordedAtMillis });
    expect(Buffer.from(second.seed)).toEqual(Buffer.from(entry.seed));
  });
});
