import type { PutRecordsCommandOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { type AwsClients, createAwsClients } from '@residency/aws';
import { type RunningEmulator, startKinesalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFakeTransport,
  createKinesisTransport,
  createProducer,
  DeliveryFailedError,
  type DeliveryFailure,
  ProducerClosedError,
  QueueFullError,
  type Transport,
  TransportError,
} from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';
import { createStream, readStream } from './support/stream.ts';

// A hostile environment: a stream (or a transport, or a middleware) that answers wrongly.

const REGION = 'ap-south-1';
const PHONE = '+8801712345678';
const common = { streamName: 's', region: REGION, partitionKeySecret: newSecret() } as const;
const quick = { retryBaseDelayMillis: 1, retryMaxDelayMillis: 10 } as const;
const eventIdsOf = (records: readonly { data: Uint8Array }[]) =>
  records.map((r) => (JSON.parse(Buffer.from(r.data).toString()) as { eventId: string }).eventId);

describe('producer against kinesalite answering PutRecords wrongly', () => {
  let emulator: RunningEmulator;
  let admin: AwsClients;
  const owned: AwsClients[] = [];

  beforeAll(async () => {
    emulator = await startKinesalite({ region: REGION });
    admin = createAwsClients({ region: REGION, endpoints: { kinesis: emulator.url } });
  });

  afterAll(async () => {
    for (const clients of owned) clients.destroy();
    admin?.destroy();
    await emulator?.close();
  });

  /** A real SDK client whose n-th PutRecords call is answered by `answer` (undefined: the emulator). */
  const clientAnswering = (
    answer: (call: number, records: PutRecordsRequestEntry[]) => PutRecordsCommandOutput | undefined,
  ) => {
    const clients = createAwsClients(
      { region: REGION, endpoints: { kinesis: emulator.url } },
      { maxAttempts: 1 },
    );
    owned.push(clients);
    let calls = 0;
    clients.kinesis.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutRecordsCommand') return next(args);
        const records = (args.input as { Records: PutRecordsRequestEntry[] }).Records;
        const output = answer(++calls, records);
        return output === undefined ? next(args) : { response: {}, output };
      },
      { step: 'initialize', name: 'answerWrongly' },
    );
    return clients.kinesis;
  };

  it('marks nothing sent on entries without a sequence number, and still delivers every event', async () => {
    // Prepare: the first two calls write nothing; one answers empty entries, one a short list.
    const streamName = await createStream(admin.kinesis, 1, 'malformed');
    const client = clientAnswering((call, records) => {
      if (call === 1) return { Records: records.map(() => ({})), $metadata: {} };
      if (call === 2)
        return {
          Records: records.slice(1).map(() => ({ ShardId: 'x', SequenceNumber: '1' })),
          $metadata: {},
        };
      return undefined;
    });
    const producer = createProducer({
      ...common,
      ...quick,
      streamName,
      transport: createKinesisTransport({ client, streamName, dataRegion: REGION }),
    });
    const events = makeEvents(20, 20);

    // Act
    const acks = await Promise.all(events.map((event) => producer.sendAndWait(event)));
    const report = await producer.close();
    const records = await readStream(admin.kinesis, streamName, { expected: events.length });

    // Assess
    expect(report).toEqual({ sent: 20, failed: [] });
    expect(acks.every((a) => /^\d{10,}$/.test(a.sequenceNumber) && a.shardId.startsWith('shardId-'))).toBe(
      true,
    );
    expect(new Set(records.map((r) => r.event.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it('carries no value from a hostile error name or ErrorCode into reports, errors or onFailure', async () => {
    // Prepare: a middleware that quotes the request back as the error.
    const streamName = await createStream(admin.kinesis, 1, 'quoting');
    const client = clientAnswering((call, records) => {
      if (call % 2 === 1)
        throw Object.assign(new Error(`rejected ${PHONE}`), {
          name: PHONE,
          $metadata: { httpStatusCode: 503 },
        });
      return {
        Records: records.map(() => ({ ErrorCode: `Bad-${PHONE}`, ErrorMessage: PHONE })),
        $metadata: {},
      };
    });
    const failures: DeliveryFailure[] = [];
    const producer = createProducer({
      ...common,
      ...quick,
      streamName,
      retryDeadlineMillis: 100,
      transport: createKinesisTransport({ client, streamName, dataRegion: REGION }),
      onFailure: (f) => failures.push(f),
    });
    const [event] = makeEvents(1, 1);

    // Act
    const error = await producer.sendAndWait(event!).then(
      () => new Error('acknowledged'),
      (e: unknown) => e as Error,
    );
    const report = await producer.close();

    // Assess
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(report.failed).toEqual(failures);
    expect(failures.map((f) => [f.reason, f.errorCode])).toEqual([['retries_exhausted', 'Unknown']]);
    expect(`${String(error)} ${error.stack} ${JSON.stringify(report)}`).not.toContain('8801712345678');
  });
});

describe('producer against a hostile transport', () => {
  it('never acknowledges a record by another record’s answer when the counts differ', async () => {
    // Prepare: the first call stores all but the first record and answers for those only.
    const inner = createFakeTransport();
    let calls = 0;
    const shifted: Transport = {
      async putRecords(records, options) {
        if (++calls > 1) return inner.putRecords(records, options);
        return inner.putRecords(records.slice(1), options);
      },
    };
    const producer = createProducer({ ...common, ...quick, transport: shifted });
    const events = makeEvents(10, 10);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close();

    // Assess: every event on the stream; the duplicates come from the unknown outcome.
    expect(report).toEqual({ sent: 10, failed: [] });
    expect(new Set(eventIdsOf(inner.records))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it.each([
    ['undefined', undefined],
    ['not an array', { Records: [] }],
    ['entries of the wrong shape', 'per-record'],
  ])('retries a batch answered with %s instead of losing it or hanging', async (_, answer) => {
    // Prepare
    const inner = createFakeTransport();
    let calls = 0;
    const garbage: Transport = {
      putRecords: async (records, options) => {
        if (++calls > 1) return inner.putRecords(records, options);
        if (answer === 'per-record')
          return records.map((_, i) => [null, { ok: true }, { ok: 'yes' }][i % 3]) as never;
        return answer as never;
      },
    };
    const producer = createProducer({ ...common, ...quick, transport: garbage });
    const events = makeEvents(9, 9);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close({ timeoutMillis: 3_000 });

    // Assess
    expect(report).toEqual({ sent: 9, failed: [] });
    expect(new Set(eventIdsOf(inner.records))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it('ends a call that ignores its abort signal at requestTimeoutMillis and retries it', async () => {
    // Prepare: the first call never answers and ignores the signal.
    const inner = createFakeTransport();
    let calls = 0;
    const deaf: Transport = {
      putRecords: (records, options) =>
        ++calls === 1 ? new Promise(() => undefined) : inner.putRecords(records, options),
    };
    const producer = createProducer({ ...common, ...quick, transport: deaf, requestTimeoutMillis: 50 });
    const [event] = makeEvents(1, 1);

    // Act
    const started = Date.now();
    const ack = await producer.sendAndWait(event!);
    const report = await producer.close();

    // Assess
    expect(ack.eventId).toBe(event!.eventId);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report).toEqual({ sent: 1, failed: [] });
    expect(producer.counters()).toMatchObject({ retried: 1, inFlightRequests: 0 });
  });

  it('stops at the retry deadline against a stream that throttles forever, reporting every event', async () => {
    // Prepare
    const throttled = createFakeTransport({
      failCall: () => new TransportError('ProvisionedThroughputExceededException', true, true),
    });
    const producer = createProducer({ ...common, ...quick, transport: throttled, retryDeadlineMillis: 150 });
    const events = makeEvents(30, 3);

    // Act
    const outcomes = await Promise.allSettled(events.map((event) => producer.sendAndWait(event)));
    const report = await producer.close();

    // Assess
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof DeliveryFailedError)).toBe(
      true,
    );
    expect(report.sent).toBe(0);
    expect(report.failed.map((f) => f.eventId).sort()).toEqual(events.map((e) => e.eventId as string).sort());
    expect(new Set(report.failed.map((f) => `${f.reason}/${f.errorCode}/${f.mayBeOnStream}`))).toEqual(
      new Set(['retries_exhausted/ProvisionedThroughputExceededException/false']),
    );
    expect(producer.counters()).toMatchObject({ accepted: 30, failed: 30, queueDepth: 0 });
  });

  it('settles every promise when closed while retries are pending: a result or a clear error', async () => {
    // Prepare: every record fails retryably; the deadline is far; room for 5 events.
    const transport = createFakeTransport({ failRecord: () => 'InternalFailure' });
    const producer = createProducer({ ...common, ...quick, transport, maxQueuedEvents: 5 });
    const events = makeEvents(12, 4);

    // Act
    const waits = events.slice(0, 6).map((event) => producer.sendAndWait(event));
    const sends = events.slice(6).map((event) => producer.send(event));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const report = await producer.close({ timeoutMillis: 100 });
    const outcomes = await Promise.allSettled([...waits, ...sends]);
    const late = await producer.send(events[0]!).catch((e: unknown) => e);

    // Assess: 5 accepted and failed at the close; the rest refused; nothing left pending.
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : 'accepted'));
    expect(reasons.filter((r) => r === 'DeliveryFailedError')).toHaveLength(5);
    expect(reasons.filter((r) => r === 'ProducerClosedError')).toHaveLength(7);
    expect(report.failed.map((f) => f.reason)).toEqual(Array(5).fill('close_timeout'));
    expect(late).toBeInstanceOf(ProducerClosedError);
    expect(producer.counters()).toMatchObject({ accepted: 5, failed: 5, queueDepth: 0, waitingSenders: 0 });
  });

  it('survives an onFailure and a logger that both throw', async () => {
    // Prepare
    const transport = createFakeTransport({ failRecord: () => 'ValidationException' });
    const producer = createProducer({
      ...common,
      transport,
      onFailure: () => {
        throw new Error('app bug');
      },
      logger: {
        warn: () => {
          throw new Error('logger bug');
        },
      },
    });
    const events = makeEvents(10, 10);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close({ timeoutMillis: 2_000 });

    // Assess
    expect(report.failed.map((f) => f.reason)).toEqual(Array(10).fill('rejected'));
  });
});

describe('producer under a burst of sends nobody awaits', () => {
  it('bounds the events held for waiting senders, by count and by bytes, refusing the rest', async () => {
    // Prepare: a stream that answers only when the test opens the gate; 1 MiB of queue.
    const inner = createFakeTransport({ keepRecords: false });
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated: Transport = { putRecords: (r, o) => gate.then(() => inner.putRecords(r, o)) };
    const byBytes = createProducer({ ...common, transport: gated, maxQueuedBytes: 1024 * 1024 });
    const byCount = createProducer({
      ...common,
      transport: gated,
      maxQueuedEvents: 100,
      maxWaitingSenders: 1_000,
    });
    const events = makeEvents(100_000, 50_000);

    // Act: 100,000 sends into each, none awaited.
    const outcomes = [byBytes, byCount].map((producer) => events.map((event) => producer.send(event)));
    const held = [byBytes.counters(), byCount.counters()];
    open();
    const settled = await Promise.all(outcomes.map((sends) => Promise.allSettled(sends)));
    const reports = await Promise.all([byBytes.close(), byCount.close()]);

    // Assess
    const [bytes, count] = held;
    expect(bytes!.queuedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(bytes!.waitingSenders).toBeLessThan(5_000);
    expect(count).toMatchObject({ queueDepth: 100, waitingSenders: 1_000 });
    settled.forEach((results, i) => {
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.every((r) => r.reason instanceof QueueFullError)).toBe(true);
      expect(reports[i]).toEqual({ sent: 100_000 - refused.length, failed: [] });
    });
    expect(settled[1]!.filter((r) => r.status === 'fulfilled')).toHaveLength(1_100);
  }, 60_000);
});
