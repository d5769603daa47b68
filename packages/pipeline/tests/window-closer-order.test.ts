import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { clinicbook } from '@residency/core';
import { type AggregateWindow, type Observation, windowKeyOf, windowOf } from '@residency/core/aggregates';
import { compositeKey, ensureTable } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_RETRY_BASE_MILLIS } from '../src/closer/backoff.ts';
import {
  type CloserRunReport,
  createDynamoAggregateStore,
  createDynamoWindowStore,
  createInMemoryMetrics,
  createInMemoryOutbox,
  createWindowCloser,
  type OutboxPort,
  openKey,
  type PipelineLogger,
  type WindowStore,
} from '../src/index.ts';
import { recordingLogger } from './support/recording-logger.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

// The window closer against dynalite: windows whose close keeps failing go behind the others (the
// failure is kept on the open index), and a ledger's epsilon is checked before it is drawn with.

const SHARD = 'shardId-000000000000';
// Three one-minute windows, 10:00 to 10:02, ingested on time at 10:02:30 and due by 10:06.
const WINDOWS = [0, 1, 2].map((minute) => windowOf(Date.UTC(2026, 6, 1, 10, minute), 60));
const INGEST_TIME = Date.UTC(2026, 6, 1, 10, 2, 30);
const CLOSE_TIME = Date.UTC(2026, 6, 1, 10, 10);

/** Three patients' notes in a window, one cell (released with k = 2). */
function notes(window: AggregateWindow, firstSequence: number): Observation[] {
  return [0, 1, 2].map((i) => ({
    sequenceNumber: String(firstSequence + i),
    eventId: `00000000-0000-4000-8000-${String(firstSequence + i).padStart(12, '0')}`,
    window,
    group: { catalog: 'clinicbook', type: 'note.added', tenantId: 'order-tenant', dimensions: {} },
    subject: `pat_${String(i).padStart(26, '0')}`,
    metrics: {},
  }));
}

/** An outbox that fails every cell of the windows starting at `failing`, and accepts the rest. */
function outboxFailing(failing: readonly AggregateWindow[]) {
  const starts = new Set(failing.map((w) => new Date(w.startMillis).toISOString()));
  const accepted = createInMemoryOutbox();
  const port: OutboxPort = {
    send: async (entries) =>
      Promise.all(
        entries.map(async (entry) => {
          const message = entry.message;
          if (message.kind === 'aggregate' && starts.has(message.aggregate.windowStart)) {
            return { ok: false as const, errorCode: 'InternalFailure' };
          }
          const [result] = await accepted.send([entry]);
          return result ?? { ok: false as const, errorCode: 'InternalFailure' };
        }),
      ),
  };
  return { port, accepted };
}

const outcomes = (report: CloserRunReport) =>
  report.windows.map((w) => `${w.windowStart.slice(11, 16)} ${w.outcome}`);

describe('window closer order against dynalite', () => {
  let env: TestStack;
  let tables = 0;
  beforeAll(async () => {
    env = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  /** A fresh aggregates table holding the three windows, so each test sees only its own windows. */
  async function freshWindows(): Promise<{ windows: WindowStore; tableName: string }> {
    tables += 1;
    const tableName = `closer-order-${tables}`;
    await ensureTable(env.clients.dynamodb, compositeKey(tableName));
    const aggregates = createDynamoAggregateStore({ documentClient: env.documentClient, tableName });
    for (const [i, window] of WINDOWS.entries()) {
      const result = await aggregates.apply(SHARD, notes(window, 100 * (i + 1)), { nowMillis: INGEST_TIME });
      expect(result.retry).toEqual([]);
    }
    return { windows: createDynamoWindowStore({ documentClient: env.documentClient, tableName }), tableName };
  }

  const closerAt = (
    windows: WindowStore,
    outbox: OutboxPort,
    nowMillis: number,
    options: { maxWindowsPerRun?: number; noise?: { epsilon: number }; logger?: PipelineLogger } = {},
  ) =>
    createWindowCloser({
      windows,
      outbox,
      catalog: clinicbook,
      logger: options.logger ?? recordingLogger().logger,
      metrics: createInMemoryMetrics(),
      clock: { nowMillis: () => nowMillis },
      k: 2,
      ...options,
    });

  it('closes the newest window although the two oldest fail on every run and the run takes two', async () => {
    // Prepare: the outbox refuses the cells of 10:00 and 10:01, every time
    const { windows } = await freshWindows();
    const { port, accepted } = outboxFailing(WINDOWS.slice(0, 2));

    // Act: three runs at the same time, each by a new closer (as scheduled invocations are)
    const runs: CloserRunReport[] = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await closerAt(windows, port, CLOSE_TIME, { maxWindowsPerRun: 2 }).run());
    }

    // Assess: the first run tries the two oldest; the next one the newest first, then one of
    // the failing windows with the room left; the third only the failing ones, soonest retry first
    expect(runs.map(outcomes)).toEqual([
      ['10:00 failed', '10:01 failed'],
      ['10:02 released', '10:00 failed'],
      ['10:01 failed', '10:00 failed'],
    ]);
    expect(runs.map((r) => [r.waiting, r.backingOff])).toEqual([
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(runs[1]?.windows[1]?.failure).toBe('outbox');
    expect(
      accepted.entries.map((e) => e.message.kind === 'aggregate' && e.message.aggregate.windowStart),
    ).toEqual(['2026-07-01T10:02:00.000Z']);
    expect((await windows.listOpenWindows()).map(windowKeyOf)).toEqual(WINDOWS.slice(0, 2).map(windowKeyOf));
  });

  it('keeps a failed window behind the others until its retry time, which doubles with each failure', async () => {
    // Prepare: 10:00 fails until the outbox is mended; one window per run
    const { windows, tableName } = await freshWindows();
    const failing = outboxFailing(WINDOWS.slice(0, 1)).port;
    const run = (outbox: OutboxPort, nowMillis: number) =>
      closerAt(windows, outbox, nowMillis, { maxWindowsPerRun: 1 }).run();
    const openItem = async (window: AggregateWindow) =>
      (
        await env.documentClient.send(
          new GetCommand({ TableName: tableName, Key: openKey(window), ConsistentRead: true }),
        )
      ).Item;

    // Act, Assess: the first failure is kept on the open index, without anything of the window's data
    expect(outcomes(await run(failing, CLOSE_TIME))).toEqual(['10:00 failed']);
    const first = await openItem(WINDOWS[0]!);
    expect(first).toMatchObject({
      closeFailures: 1,
      retryAfter: new Date(CLOSE_TIME + CLOSE_RETRY_BASE_MILLIS).toISOString(),
    });
    expect(Object.keys(first ?? {}).sort()).toEqual(
      ['closeFailures', 'kind', 'pk', 'retryAfter', 'sk', 'windowSeconds', 'windowStart'].sort(),
    );

    // before its retry time, the next window goes first
    const beforeRetry = await run(failing, CLOSE_TIME + 30_000);
    expect(outcomes(beforeRetry)).toEqual(['10:01 released']);
    expect(beforeRetry).toMatchObject({ backingOff: 1, waiting: 2 });

    // at its retry time it is the oldest again; it fails again and waits twice as long
    const retryTime = CLOSE_TIME + CLOSE_RETRY_BASE_MILLIS;
    expect(outcomes(await run(failing, retryTime))).toEqual(['10:00 failed']);
    expect(await openItem(WINDOWS[0]!)).toMatchObject({
      closeFailures: 2,
      retryAfter: new Date(retryTime + 2 * CLOSE_RETRY_BASE_MILLIS).toISOString(),
    });
    expect(outcomes(await run(failing, retryTime + 1_000))).toEqual(['10:02 released']);

    // alone and due, it is tried before its retry time (there is room); mended, it closes and leaves the index
    expect(outcomes(await run(createInMemoryOutbox(), retryTime + 2_000))).toEqual(['10:00 released']);
    expect(await openItem(WINDOWS[0]!)).toBeUndefined();
    expect(await windows.listOpenWindows()).toEqual([]);
  });

  it("fails only the window whose ledger holds an epsilon that cannot be drawn, names it, and keeps a valid ledger's epsilon", async () => {
    // Prepare: 10:00's ledger holds an epsilon below the sampler's floor, 10:01's a usable one
    // that differs from the configured one, 10:02 has none yet
    const { windows } = await freshWindows();
    const ledger = {
      mechanism: 'discrete-laplace',
      k: 2,
      composition: 'even split',
      seed: new Uint8Array(32).fill(3),
      recordedAtMillis: CLOSE_TIME - 60_000,
    };
    await windows.recordLedger(WINDOWS[0]!, { ...ledger, epsilon: 1e-7 });
    await windows.recordLedger(WINDOWS[1]!, { ...ledger, epsilon: 0.5 });
    const { logger, lines } = recordingLogger();
    const outbox = createInMemoryOutbox();
    const noisy = (nowMillis: number) =>
      closerAt(windows, outbox, nowMillis, { noise: { epsilon: 1 }, logger });

    // Act
    const report = await noisy(CLOSE_TIME).run();
    const again = await noisy(CLOSE_TIME + CLOSE_RETRY_BASE_MILLIS).run();

    // Assess
    expect(report.windows.map((w) => [w.windowStart.slice(11, 16), w.outcome, w.failure, w.epsilon])).toEqual(
      [
        ['10:00', 'failed', 'ledger_epsilon', undefined],
        ['10:01', 'released', undefined, 0.5],
        ['10:02', 'released', undefined, 1],
      ],
    );
    expect(outcomes(again)).toEqual(['10:00 failed']);
    const refused = lines.filter((l) => l.level === 'error' && /ledger/.test(l.message));
    expect(refused).toHaveLength(2);
    expect(refused[0]?.message).toMatch(/an epsilon that cannot be drawn for the catalog/);
    expect(refused[0]?.attributes).toMatchObject({
      window: windowKeyOf(WINDOWS[0]!),
      ledgerEpsilon: 1e-7,
      configuredEpsilon: 1,
    });
    expect(lines.filter((l) => l.level === 'warn' && /another epsilon/.test(l.message))).toEqual([
      expect.objectContaining({
        attributes: { window: windowKeyOf(WINDOWS[1]!), ledgerEpsilon: 0.5, configuredEpsilon: 1 },
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('pat_');
    expect((await windows.listOpenWindows()).map((w) => [windowKeyOf(w), w.closeFailures])).toEqual([
      [windowKeyOf(WINDOWS[0]!), 2],
    ]);
  });
});
