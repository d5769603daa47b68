import { describe, expect, it } from 'vitest';
import {
  createFakeTransport,
  createProducer,
  DeliveryFailedError,
  type DeliveryFailure,
  QueueFullError,
  type Transport,
} from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';

const common = { streamName: 's', region: 'ap-south-1' } as const;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('producer queue, backpressure and counters', () => {
  it('makes send wait while the queue is full, and admits in order as room frees', async () => {
    // Prepare: room for 5 events, a stream that answers only when the test opens the gate.
    const transport = createFakeTransport();
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated: Transport = {
      putRecords: async (records, options) => gate.then(() => transport.putRecords(records, options)),
    };
    const producer = createProducer({
      ...common,
      transport: gated,
      partitionKeySecret: newSecret(),
      maxQueuedEvents: 5,
      lingerMillis: 0,
    });
    const events = makeEvents(8, 8);

    // Act
    const sends = events.map((event) => producer.send(event));
    await tick();
    const whileFull = producer.counters();
    open();
    await Promise.all(sends);
    const report = await producer.close();

    // Assess
    expect(whileFull).toMatchObject({ accepted: 5, queueDepth: 5, waitingSenders: 3 });
    expect(report).toEqual({ sent: 8, failed: [] });
    expect(transport.records.map((r) => JSON.parse(Buffer.from(r.data).toString()).eventId)).toEqual(
      events.map((e) => e.eventId),
    );
  });

  it("fails fast with QueueFullError under whenQueueFull: 'reject', accepting nothing", async () => {
    // Prepare
    const producer = createProducer({
      ...common,
      transport: createFakeTransport({ latencyMillis: 30 }),
      partitionKeySecret: newSecret(),
      maxQueuedEvents: 2,
      whenQueueFull: 'reject',
    });
    const [a, b, c] = makeEvents(3, 3);

    // Act
    await producer.send(a!);
    await producer.send(b!);
    const refused = await producer.send(c!).catch((e: unknown) => e);

    // Assess
    expect(refused).toBeInstanceOf(QueueFullError);
    expect(producer.counters().accepted).toBe(2);
    expect(await producer.close()).toEqual({ sent: 2, failed: [] });
  });

  it('bounds the queue by bytes too', async () => {
    // Prepare: 1 MiB of room; events of about 300 bytes.
    const producer = createProducer({
      ...common,
      transport: createFakeTransport({ latencyMillis: 20 }),
      partitionKeySecret: newSecret(),
      maxQueuedBytes: 1024 * 1024,
      whenQueueFull: 'reject',
    });

    // Act
    let accepted = 0;
    for (const event of makeEvents(10_000, 10_000)) {
      try {
        await producer.send(event);
        accepted++;
      } catch (error) {
        expect(error).toBeInstanceOf(QueueFullError);
        break;
      }
    }
    const { queuedBytes } = producer.counters();
    await producer.close();

    // Assess
    expect(accepted).toBeLessThan(10_000);
    expect(queuedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(queuedBytes).toBeGreaterThan(1024 * 1024 - 1_000);
  });

  it('counts accepted, sent, retried, failed and queue depth', async () => {
    // Prepare: the first attempt of every record fails retryably; records of patient 3 are refused for good.
    const seen = new Set<string>();
    const failures: DeliveryFailure[] = [];
    let refusedKey = '';
    const transport = createFakeTransport({
      failRecord: (record) => {
        const id = Buffer.from(record.data).toString();
        if (id.includes('"patientId":"P-0000003"')) {
          refusedKey = record.partitionKey;
          return 'ValidationException';
        }
        if (seen.has(id)) return undefined;
        seen.add(id);
        return 'InternalFailure';
      },
    });
    const producer = createProducer({
      ...common,
      transport,
      partitionKeySecret: newSecret(),
      retryBaseDelayMillis: 1,
      onFailure: (f) => failures.push(f),
    });
    const events = makeEvents(40, 10);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.flush();
    const counters = producer.counters();
    await producer.close();

    // Assess
    expect(counters).toEqual({
      accepted: 40,
      sent: 36,
      retried: 36,
      failed: 4,
      queueDepth: 0,
      queuedBytes: 0,
      waitingSenders: 0,
      inFlightRequests: 0,
      canaries: 0,
    });
    expect(report.sent).toBe(36);
    expect(report.failed).toEqual(failures);
    expect(failures.map((f) => [f.reason, f.errorCode])).toEqual(
      Array(4).fill(['rejected', 'ValidationException']),
    );
    expect(refusedKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sendAndWait resolves with the acknowledgement, or rejects with DeliveryFailedError', async () => {
    // Prepare
    const transport = createFakeTransport({
      failRecord: (record) =>
        Buffer.from(record.data).toString().includes('P-0000001') ? 'ValidationException' : undefined,
    });
    const producer = createProducer({
      ...common,
      transport,
      partitionKeySecret: newSecret(),
      lingerMillis: 5,
    });
    const [ok, refused] = makeEvents(2, 2);

    // Act
    const ack = await producer.sendAndWait(ok!);
    const error = await producer.sendAndWait(refused!).catch((e: unknown) => e);
    const report = await producer.close();

    // Assess
    expect(ack).toEqual({
      eventId: ok!.eventId,
      shardId: expect.stringMatching(/^shardId-/),
      sequenceNumber: expect.any(String),
    });
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({
      eventId: refused!.eventId,
      reason: 'rejected',
      errorCode: 'ValidationException',
    });
    expect(report.sent).toBe(1);
    expect(report.failed.map((f) => f.eventId)).toEqual([refused!.eventId]);
  });

  it('sends a partial batch after lingerMillis, and a full one at once', async () => {
    // Prepare
    const transport = createFakeTransport();
    const producer = createProducer({
      ...common,
      transport,
      partitionKeySecret: newSecret(),
      lingerMillis: 500,
      maxBatchRecords: 10,
    });

    // Act
    for (const event of makeEvents(13, 13)) await producer.send(event);
    await tick();
    const early = transport.stats();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const late = transport.stats();
    await producer.close();

    // Assess
    expect(early).toEqual({ calls: 1, attempted: 10, stored: 10 });
    expect(late).toEqual({ calls: 2, attempted: 13, stored: 13 });
  });

  it('aborts a call that hangs past requestTimeoutMillis and retries its records', async () => {
    // Prepare: the first call never answers (until aborted); later calls work.
    const inner = createFakeTransport();
    let calls = 0;
    const hangOnce: Transport = {
      putRecords: (records, options) =>
        ++calls === 1
          ? new Promise((_, reject) =>
              options.signal.addEventListener('abort', () =>
                reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
              ),
            )
          : inner.putRecords(records, options),
    };
    const producer = createProducer({
      ...common,
      transport: hangOnce,
      partitionKeySecret: newSecret(),
      requestTimeoutMillis: 50,
      retryBaseDelayMillis: 1,
    });
    const events = makeEvents(20, 5);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close();

    // Assess
    expect(report).toEqual({ sent: 20, failed: [] });
    expect(calls).toBeGreaterThan(1);
    expect(producer.counters().retried).toBeGreaterThan(0);
    expect(inner.records).toHaveLength(20);
  });
});
