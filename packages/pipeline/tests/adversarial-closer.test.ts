import {
  clinicbook,
  compileCatalog,
  createInMemoryTokenPort,
  defineCatalog,
  defineEvent,
  identifier,
  publicField,
  type TokenPort,
} from '@residency/core';
import { AggregateConfigurationError } from '@residency/core/aggregates';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createIngestHandler,
  createInMemoryAggregates,
  createInMemoryMetrics,
  createInMemoryOutbox,
  createInMemoryQuarantine,
  createWindowCloser,
  type InMemoryAggregates,
  type OutboxPort,
  silentLogger,
} from '../src/index.ts';
import { booked, NOW_ON_TIME } from './support/events.ts';
import { kinesisEvent } from './support/kinesis-events.ts';

// The window closer attacked from the outside: what crosses, and what a retry changes.

const CLOSE_TIME = Date.UTC(2026, 2, 1, 10, 4, 0);

async function ingest(
  aggregates: InMemoryAggregates,
  tokenPort: TokenPort,
  events: Record<string, unknown>[],
  options: { shardId?: string; firstSequence?: number } = {},
) {
  const handler = createIngestHandler({
    catalog: clinicbook,
    tokenPort,
    outbox: createInMemoryOutbox(),
    quarantine: createInMemoryQuarantine(),
    aggregates,
    logger: silentLogger,
    metrics: createInMemoryMetrics(),
    clock: { nowMillis: () => NOW_ON_TIME },
  });
  const response = await handler(kinesisEvent(events, options));
  expect(response.batchItemFailures).toEqual([]);
}

const closer = (aggregates: InMemoryAggregates, outbox: OutboxPort, noise?: { epsilon: number }) =>
  createWindowCloser({
    windows: aggregates,
    outbox,
    catalog: clinicbook,
    logger: silentLogger,
    metrics: createInMemoryMetrics(),
    clock: { nowMillis: () => CLOSE_TIME },
    ...(noise ? { noise } : {}),
  });

/** An outbox that records what was offered, then fails every entry. */
function failingOutbox() {
  const offered = createInMemoryOutbox();
  const port: OutboxPort = {
    send: async (entries) => {
      await offered.send(entries);
      return entries.map(() => ({ ok: false, errorCode: 'InternalFailure' }));
    },
  };
  return { port, offered };
}

describe('window closer under attack', () => {
  it('does not count one patient seen on two shards twice: 9 patients on both shards stay suppressed', async () => {
    // Prepare: the same 9 patients (same tokens) through two shards
    const aggregates = createInMemoryAggregates();
    const tokens = createInMemoryTokenPort();
    const nine = () => Array.from({ length: 9 }, (_, i) => booked({ patientId: `P-S${i}` }));
    await ingest(aggregates, tokens, nine(), { shardId: 'shardId-000000000000' });
    await ingest(aggregates, tokens, nine(), { shardId: 'shardId-000000000001', firstSequence: 5000 });
    const outbox = createInMemoryOutbox();

    // Act
    const report = await closer(aggregates, outbox).run();

    // Assess
    expect(report.windows[0]).toMatchObject({ releasedCells: 0, suppressedCells: 1, suppressedEvents: 18 });
    expect(outbox.entries).toEqual([]);
  });

  it('sends nothing about a suppressed cell: no key, no dimension value, no count of suppressed cells', async () => {
    // Prepare: a released cardiology cell, a suppressed neurology cell
    const aggregates = createInMemoryAggregates();
    const tokens = createInMemoryTokenPort();
    await ingest(aggregates, tokens, [
      ...Array.from({ length: 12 }, (_, i) => booked({ patientId: `P-C${i}` })),
      ...Array.from({ length: 3 }, (_, i) => booked({ patientId: `P-N${i}`, department: 'neurology' })),
    ]);
    const outbox = createInMemoryOutbox();

    // Act
    const report = await closer(aggregates, outbox).run();

    // Assess: only released cells leave; the suppression tally stays in region
    expect(report.windows[0]).toMatchObject({ releasedCells: 1, suppressedCells: 1, suppressedEvents: 3 });
    const wire = JSON.stringify(outbox.entries);
    expect(outbox.entries).toHaveLength(1);
    expect(wire).not.toContain('neurology');
    expect(wire).not.toMatch(/suppress/i);
    expect(wire).not.toContain('"count":15');
  });

  it('never sends the max wait days of one outlier patient', async () => {
    // Prepare: 11 patients wait 3 days, one waits 2917 days
    const aggregates = createInMemoryAggregates();
    await ingest(aggregates, createInMemoryTokenPort(), [
      ...Array.from({ length: 11 }, (_, i) => booked({ patientId: `P-C${i}` })),
      booked({ patientId: 'P-OUTLIER', waitDays: 2917 }),
    ]);
    const outbox = createInMemoryOutbox();

    // Act
    await closer(aggregates, outbox).run();

    // Assess
    const message = outbox.entries[0]?.message;
    if (message?.kind !== 'aggregate') throw new Error('no aggregate released');
    expect(message.aggregate.metrics.waitDays?.max).toBe(3650);
    expect(message.aggregate.metrics.waitDays?.counts.every((n) => n === 0 || n >= 10)).toBe(true);
    expect(JSON.stringify(message)).not.toContain('2917');
  });

  it('refuses to start with an epsilon whose noise cannot be drawn, rather than fail every release', () => {
    // Prepare: payments of up to 100 million, whose sum noise at a small epsilon is beyond the sampler
    const paid = defineEvent({
      type: 'payment.made',
      schemaVersion: 1,
      fields: {
        userId: identifier(z.string().min(1).max(64), {
          kind: 'user',
          egress: 'token',
          normalizer: 'opaque',
          subject: true,
        }),
        amount: publicField(z.number().int().min(0).max(100_000_000), {
          metric: { histogramBounds: [100, 1000] },
        }),
      },
    });
    const payments = compileCatalog(defineCatalog({ name: 'payments', events: [paid] }));
    const start = (epsilon: number) =>
      createWindowCloser({
        windows: createInMemoryAggregates(),
        outbox: createInMemoryOutbox(),
        catalog: payments,
        logger: silentLogger,
        metrics: createInMemoryMetrics(),
        noise: { epsilon },
      });
    // Act, Assess
    expect(() => start(0.123457)).toThrow(AggregateConfigurationError);
    expect(() => start(0.123457)).toThrow(/payment\.made\.amount/);
    expect(() => start(1)).not.toThrow();
  });

  it('a retry under another epsilon reuses the ledger: same epsilon, same noise (no averaging, no second charge)', async () => {
    // Prepare: a first noisy attempt at ε = 0.5 fails on the outbox
    const aggregates = createInMemoryAggregates();
    await ingest(
      aggregates,
      createInMemoryTokenPort(),
      Array.from({ length: 20 }, (_, i) => booked({ patientId: `P-C${i}`, waitDays: i })),
    );
    const first = failingOutbox();
    expect((await closer(aggregates, first.port, { epsilon: 0.5 }).run()).windows[0]?.outcome).toBe('failed');

    // Act: the operator raises epsilon before the retry
    const outbox = createInMemoryOutbox();
    const retry = await closer(aggregates, outbox, { epsilon: 8 }).run();

    // Assess
    expect(retry.windows[0]).toMatchObject({ outcome: 'released', epsilon: 0.5 });
    expect(outbox.entries).toEqual(first.offered.entries);
  });
});
