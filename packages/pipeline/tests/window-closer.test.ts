import { AggregateCellSchema, clinicbook, createInMemoryTokenPort } from '@residency/core';
import { type AggregateWindow, type Observation, windowKeyOf, windowOf } from '@residency/core/aggregates';
import { describe, expect, it } from 'vitest';
import { closeRetryDelayMillis } from '../src/closer/backoff.ts';
import {
  createIngestHandler,
  createInMemoryAggregates,
  createInMemoryMetrics,
  createInMemoryOutbox,
  createInMemoryQuarantine,
  createWindowCloser,
  type InMemoryAggregates,
  type OutboxPort,
  type PipelineLogger,
  silentLogger,
  type WindowStore,
} from '../src/index.ts';
import { booked, NOW_ON_TIME } from './support/events.ts';
import { kinesisEvent } from './support/kinesis-events.ts';
import { recordingLogger } from './support/recording-logger.ts';

// The 10:00 window's end (10:01) + lateness 120 s + grace 60 s.
const CLOSE_TIME = Date.UTC(2026, 2, 1, 10, 4, 0);

/** Ingests `subjects` distinct patients into the cardiology cell and `others` into the general one. */
async function ingest(aggregates: InMemoryAggregates, cardiology: number, general: number) {
  const handler = createIngestHandler({
    catalog: clinicbook,
    tokenPort: createInMemoryTokenPort(),
    outbox: createInMemoryOutbox(),
    quarantine: createInMemoryQuarantine(),
    aggregates,
    logger: silentLogger,
    metrics: createInMemoryMetrics(),
    clock: { nowMillis: () => NOW_ON_TIME },
  });
  const events = [
    ...Array.from({ length: cardiology }, (_, i) =>
      booked({ patientId: `P-C${i}`, department: 'cardiology' }),
    ),
    ...Array.from({ length: general }, (_, i) => booked({ patientId: `P-G${i}`, department: 'general' })),
  ];
  const response = await handler(kinesisEvent(events));
  expect(response.batchItemFailures).toEqual([]);
}

function closer(
  aggregates: InMemoryAggregates,
  outbox: OutboxPort,
  options: { noise?: { epsilon: number }; logger?: PipelineLogger } = {},
) {
  return createWindowCloser({
    windows: aggregates,
    outbox,
    catalog: clinicbook,
    logger: silentLogger,
    metrics: createInMemoryMetrics(),
    clock: { nowMillis: () => CLOSE_TIME },
    ...options,
  });
}

/** An outbox that takes every entry into `taken` and answers each as failed: a close cut short after its cells left. */
function halfDoneOutbox(taken: OutboxPort): OutboxPort {
  return {
    send: async (entries) => {
      await taken.send(entries);
      return entries.map(() => ({ ok: false, errorCode: 'InternalFailure' }));
    },
  };
}

describe('createWindowCloser', () => {
  it('releases a cell with k distinct subjects and never one with k - 1 (counted as suppressed)', async () => {
    // Prepare
    const aggregates = createInMemoryAggregates();
    const outbox = createInMemoryOutbox();
    await ingest(aggregates, 10, 9);

    // Act
    const report = await closer(aggregates, outbox).run();

    // Assess
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]).toMatchObject({
      outcome: 'released',
      releasedCells: 1,
      suppressedCells: 1,
      suppressedEvents: 9,
    });
    expect(outbox.entries).toHaveLength(1);
    const [entry] = outbox.entries;
    const message = entry?.message;
    expect(message?.kind).toBe('aggregate');
    if (message?.kind !== 'aggregate') return;
    expect(AggregateCellSchema.parse(message.aggregate)).toEqual(message.aggregate);
    expect(entry?.partitionKey).toBe(message.aggregate.cellId);
    expect(message.aggregate).toMatchObject({
      dimensions: { department: 'cardiology', channel: 'app' },
      count: 10,
      distinctSubjects: 10,
      windowStart: '2026-03-01T10:00:00.000Z',
      privacy: { k: 10 },
    });
  });

  it('does not close a window before its end plus lateness plus grace', async () => {
    // Prepare
    const aggregates = createInMemoryAggregates();
    const outbox = createInMemoryOutbox();
    await ingest(aggregates, 10, 0);
    const early = createWindowCloser({
      windows: aggregates,
      outbox,
      catalog: clinicbook,
      logger: silentLogger,
      metrics: createInMemoryMetrics(),
      clock: { nowMillis: () => CLOSE_TIME - 1 },
    });

    // Act
    const report = await early.run();

    // Assess
    expect(report.windows).toEqual([]);
    expect(report.waiting).toBe(1);
    expect(outbox.entries).toEqual([]);
  });

  it('releases nothing twice: a second run finds the window closed', async () => {
    // Prepare
    const aggregates = createInMemoryAggregates();
    const outbox = createInMemoryOutbox();
    await ingest(aggregates, 12, 11);
    await closer(aggregates, outbox).run();

    // Act
    const second = await closer(aggregates, outbox).run();

    // Assess
    expect(second.windows).toEqual([]);
    expect(outbox.entries).toHaveLength(2);
  });

  it('keeps the window open when the outbox fails, and releases the same noisy cells on the retry', async () => {
    // Prepare
    const aggregates = createInMemoryAggregates();
    const outbox = createInMemoryOutbox();
    await ingest(aggregates, 15, 0);
    const captured = createInMemoryOutbox();
    const first = await closer(aggregates, halfDoneOutbox(captured), { noise: { epsilon: 0.5 } }).run();
    expect(first.windows[0]?.outcome).toBe('failed');
    const noisyFirst = captured.entries;

    // Act
    const retry = await closer(aggregates, outbox, { noise: { epsilon: 0.5 } }).run();

    // Assess
    expect(retry.windows[0]).toMatchObject({ outcome: 'released', releasedCells: 1, epsilon: 0.5 });
    expect(outbox.entries).toEqual(noisyFirst);
    const message = outbox.entries[0]?.message;
    expect(message?.kind === 'aggregate' && message.aggregate.privacy).toEqual({ k: 10, epsilon: 0.5 });
  });

  it("releases a window whose ledger was written with the ledger's noise after noise is turned off", async () => {
    // Prepare: a close with noise put its cells out and then failed, so they may have left noisy.
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, 15, 0);
    const leftNoisy = createInMemoryOutbox();
    const halfDone = halfDoneOutbox(leftNoisy);
    expect((await closer(aggregates, halfDone, { noise: { epsilon: 0.5 } }).run()).windows[0]?.outcome).toBe(
      'failed',
    );
    const { logger, lines } = recordingLogger();
    const outbox = createInMemoryOutbox();

    // Act: the next run, configured without noise.
    const report = await closer(aggregates, outbox, { logger }).run();

    // Assess: the same noisy cells again, never the exact ones.
    expect(report.windows[0]).toMatchObject({ outcome: 'released', releasedCells: 1, epsilon: 0.5 });
    expect(outbox.entries).toEqual(leftNoisy.entries);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: "noise is off, but the window's ledger holds an epsilon; it is released under the ledger's",
      }),
    );
  });

  it('releases a window decided without noise without it, even when a later run is configured with noise', async () => {
    // Prepare: a run without noise put the exact cells out and then failed.
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, 15, 0);
    const leftExact = createInMemoryOutbox();
    const halfDone = halfDoneOutbox(leftExact);
    expect((await closer(aggregates, halfDone).run()).windows[0]?.outcome).toBe('failed');
    const { logger, lines } = recordingLogger();
    const outbox = createInMemoryOutbox();

    // Act: the next run, configured with noise.
    const report = await closer(aggregates, outbox, { noise: { epsilon: 0.5 }, logger }).run();

    // Assess: the same exact cells again, never a noisy copy beside them.
    expect(report.windows[0]).toMatchObject({ outcome: 'released', releasedCells: 1 });
    expect(report.windows[0]?.epsilon).toBeUndefined();
    expect(outbox.entries).toEqual(leftExact.entries);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: "noise is on, but the window's ledger says it is released without noise",
      }),
    );
  });

  it.each([
    ['no noise with an epsilon', { mechanism: 'none', epsilon: 1, k: 10 }],
    ['an unknown mechanism', { mechanism: 'gaussian', epsilon: 1, k: 10 }],
    ['a k under 2', { mechanism: 'none', epsilon: 0, k: 1 }],
  ])('keeps open a window whose ledger says %s, and releases nothing of it', async (_label, entry) => {
    // Prepare
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, 15, 0);
    const [window] = await aggregates.listOpenWindows();
    await aggregates.recordLedger(window as AggregateWindow, {
      ...entry,
      composition: 'written by hand',
      seed: new Uint8Array(32),
      recordedAtMillis: CLOSE_TIME,
    });
    const outbox = createInMemoryOutbox();
    // Act
    const report = await closer(aggregates, outbox).run();
    // Assess
    expect(report.windows[0]).toMatchObject({ outcome: 'failed', failure: 'ledger_epsilon' });
    expect(outbox.entries).toEqual([]);
  });

  it("releases with the ledger's k when it is the larger", async () => {
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, 15, 0);
    const [window] = await aggregates.listOpenWindows();
    await aggregates.recordLedger(window as AggregateWindow, {
      mechanism: 'none',
      epsilon: 0,
      k: 50,
      composition: 'written by hand',
      seed: new Uint8Array(32),
      recordedAtMillis: CLOSE_TIME,
    });
    const report = await closer(aggregates, createInMemoryOutbox()).run();
    expect(report.windows[0]).toMatchObject({ outcome: 'released', releasedCells: 0, suppressedCells: 1 });
  });

  it('tries a window whose close throws behind the others until its retry time, one window a run', async () => {
    // Prepare: three one-minute windows of three patients each; reading 10:00's partials throws
    const aggregates = createInMemoryAggregates();
    const windows = [0, 1, 2].map((minute) => windowOf(Date.UTC(2026, 2, 1, 9, 55 + minute), 60));
    for (const [w, window] of windows.entries()) {
      const notes: Observation[] = [0, 1, 2].map((i) => ({
        sequenceNumber: String(100 * (w + 1) + i),
        window,
        group: { catalog: 'clinicbook', type: 'note.added', tenantId: 't-1', dimensions: {} },
        subject: `pat_${String(i).padStart(26, '0')}`,
        metrics: {},
      }));
      await aggregates.apply('shardId-000000000000', notes, { nowMillis: Date.UTC(2026, 2, 1, 9, 57, 30) });
    }
    const corrupt: WindowStore = {
      ...aggregates,
      readPartials: async (window, shardIds) => {
        if (windowKeyOf(window) === windowKeyOf(windows[0]!)) throw new Error('corrupt partial');
        return aggregates.readPartials(window, shardIds);
      },
    };
    const run = () =>
      createWindowCloser({
        windows: corrupt,
        outbox: createInMemoryOutbox(),
        catalog: clinicbook,
        logger: silentLogger,
        metrics: createInMemoryMetrics(),
        clock: { nowMillis: () => CLOSE_TIME },
        k: 2,
        maxWindowsPerRun: 1,
      }).run();

    // Act
    const reports = [await run(), await run(), await run()];

    // Assess
    expect(
      reports.map((r) => r.windows.map((w) => [w.windowStart.slice(11, 16), w.outcome, w.failure])),
    ).toEqual([
      [['09:55', 'failed', 'error']],
      [['09:56', 'released', undefined]],
      [['09:57', 'released', undefined]],
    ]);
    expect(await aggregates.listOpenWindows()).toEqual([
      { ...windows[0], closeFailures: 1, retryAfterMillis: CLOSE_TIME + 60_000 },
    ]);
  });

  it('waits 1 minute after a first failed close, doubling with each failure in a row up to 1 hour', () => {
    // Act, Assess
    expect([1, 2, 3, 6, 7, 1000].map(closeRetryDelayMillis)).toEqual([
      60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
  });

  it('reports late events counted in the window', async () => {
    // Prepare: events of the 10:00 window arrive at 10:03:30, after the lateness
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, 10, 0);
    const lateHandler = createIngestHandler({
      catalog: clinicbook,
      tokenPort: createInMemoryTokenPort(),
      outbox: createInMemoryOutbox(),
      quarantine: createInMemoryQuarantine(),
      aggregates,
      logger: silentLogger,
      metrics: createInMemoryMetrics(),
      clock: { nowMillis: () => Date.UTC(2026, 2, 1, 10, 3, 30) },
    });
    await lateHandler(kinesisEvent([booked({ patientId: 'P-late' })], { firstSequence: 9000 }));

    // Act
    const report = await closer(aggregates, createInMemoryOutbox()).run();

    // Assess
    expect(report.lateEvents).toBe(1);
    expect(report.windows[0]).toMatchObject({ lateEvents: 1, releasedCells: 1 });
  });
});
