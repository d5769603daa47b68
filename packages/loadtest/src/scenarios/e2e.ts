import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAwsClients, createCallCounter } from '@residency/aws';
import type { ValidateOptions } from '@residency/core';
import type { ProducerEvent } from '@residency/producer';
import type { PluginsRef } from '../environment/host-protocol.ts';
import { type LoadtestTarget, startLocalTarget } from '../environment/target.ts';
import { ScenarioUnavailableError } from '../errors.ts';
import { createBillingCounter } from '../measure/billing-counter.ts';
import { createLatencyRecorder } from '../measure/latency.ts';
import { startResourceMeter } from '../measure/resources.ts';
import type { Progress } from '../progress.ts';
import { importFor } from './import-for.ts';
import type { E2eResult } from './results.ts';

/** Options of {@link runE2e}. */
export interface E2eOptions {
  region: string;
  /** The local pipeline's plugins (ingest mapping, forwarder, control plane) for the stack. */
  plugins: PluginsRef | undefined;
  events: readonly object[];
  /** Events per second to aim at; absent means flat out (as fast as `send` accepts). */
  rate?: number;
  countryOf?: ValidateOptions['countryOf'];
  progress: Progress;
  /** How often the control plane is asked what it stored (the latency resolution). Default: 250 ms. */
  pollMillis?: number;
  /** Give up when nothing new was stored for this long after the last send. Default: 60 s. */
  stallMillis?: number;
}

/**
 * End to end on the local stack: the producer SDK sends the events to the events stream; the
 * pipeline's plugins (Lambda's event source mapping, the ingest handler, the forwarder) carry
 * them to the control plane; latency is from `send` to the record being stored, found by
 * polling the control plane's store (so its resolution is the poll interval). The stack runs in
 * its own process, started fresh for this scenario.
 */
export async function runE2e(options: E2eOptions): Promise<E2eResult> {
  if (!options.plugins)
    throw new ScenarioUnavailableError('e2e', 'the local pipeline plugins (option e2ePlugins)');
  const target = await startLocalTarget({ region: options.region, plugins: options.plugins });
  try {
    return await measure(target, options);
  } finally {
    await target.stop();
  }
}

async function measure(target: LoadtestTarget, options: E2eOptions): Promise<E2eResult> {
  const { createDynamoControlPlaneStore, readControlPlaneDescriptor } = await importFor(
    'e2e',
    '@residency/control-plane',
    () => import('@residency/control-plane'),
  );
  const { createKinesisTransport, createProducer } = await importFor(
    'e2e',
    '@residency/producer',
    () => import('@residency/producer'),
  );
  let descriptor: ReturnType<typeof readControlPlaneDescriptor>;
  try {
    descriptor = readControlPlaneDescriptor(
      target.endpointsFile as NonNullable<LoadtestTarget['endpointsFile']>,
    );
  } catch (cause) {
    throw new ScenarioUnavailableError(
      'e2e',
      `a pipeline and control plane in the local stack (${options.plugins?.exportName} started ${target.plugins} plugins, no control plane)`,
      { cause },
    );
  }
  const calls = createCallCounter();
  const billing = createBillingCounter();
  const producerClients = createAwsClients(
    { region: target.region, ...(target.endpoints ? { endpoints: target.endpoints } : {}) },
    { counter: calls, maxAttempts: 1 },
  );
  billing.attach(producerClients.kinesis);
  const controlClients = createAwsClients({
    region: descriptor.region,
    endpoints: { dynamodb: descriptor.dynamodb },
  });
  const store = createDynamoControlPlaneStore({
    dynamodb: controlClients.dynamodb,
    tables: descriptor.tables,
  });
  const producer = createProducer({
    streamName: target.streams.events,
    region: target.region,
    transport: createKinesisTransport({
      streamName: target.streams.events,
      client: producerClients.kinesis,
      dataRegion: target.region,
    }),
    partitionKeySecret: randomBytes(32),
    logger: { warn: () => undefined },
    ...(options.countryOf ? { countryOf: options.countryOf } : {}),
  });

  // The control plane knows a record by the id the vault derives in region from its event id:
  // derive them first, on clients of their own, so the producer's API calls stay the only ones
  // counted and the timing starts after.
  const recordIdOf = await deriveRecordIds(target, options.events);
  const total = options.events.length;
  const sentAt = new Map<string, number>();
  const stored = new Set<string>();
  const latency = createLatencyRecorder();
  const pollMillis = options.pollMillis ?? 250;
  const stallMillis = options.stallMillis ?? 60_000;
  const hostBefore = await target.hostUsage();
  const meter = startResourceMeter();
  const startedAt = performance.now();
  let lastStoredAt = startedAt;
  let sending = true;
  options.progress.start('e2e stored', total);

  const poll = async () => {
    while (sending || (stored.size < sentAt.size && performance.now() - lastStoredAt < stallMillis)) {
      await sleep(pollMillis);
      // Ask only about events not seen stored, oldest first, 100 a call, and stop at the first
      // hundred with none stored: the stack stores roughly in send order, and a scan of the whole
      // table every poll would load the emulator the pipeline runs on.
      let fresh = 0;
      const pending = [...sentAt.keys()].filter((id) => !stored.has(id));
      for (let at = 0; at < pending.length; at += 100) {
        const found = await store.storedRecordIds(pending.slice(at, at + 100));
        const now = performance.now();
        for (const id of found) {
          stored.add(id);
          latency.record(now - (sentAt.get(id) as number));
          fresh += 1;
        }
        if (found.size === 0) break;
      }
      const now = performance.now();
      if (fresh > 0) {
        lastStoredAt = now;
        options.progress.advance(fresh);
      }
    }
  };
  const polling = poll();
  try {
    for (let i = 0; i < total; i++) {
      if (options.rate) {
        const due = startedAt + (i * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      }
      const { occurredAt: _occurredAt, ...event } = options.events[i] as Record<string, unknown>;
      sentAt.set(recordIdOf.get(String(event.eventId)) as string, performance.now());
      await producer.send(event as ProducerEvent);
    }
    await producer.flush();
  } finally {
    sending = false;
  }
  await polling;
  const usage = meter.stop();
  const hostAfter = await target.hostUsage();
  options.progress.done();
  const report = await producer.close();
  producerClients.destroy();
  controlClients.destroy();

  const elapsedMillis = lastStoredAt - startedAt;
  const hostCpu = hostBefore && hostAfter ? hostAfter.cpuMicros - hostBefore.cpuMicros : 0;
  const notes = [
    `latency resolution: the control plane is polled every ${pollMillis} ms`,
    'API calls and units: the producer only (the pipeline inside the stack process uses its own clients)',
    'CPU per event: the producer process plus the stack process (emulators, pipeline, forwarder, control plane)',
  ];
  if (stored.size < total)
    notes.push(`${total - stored.size} events not stored within ${stallMillis} ms of the last progress`);
  if (report.failed.length > 0) notes.push(`${report.failed.length} events failed in the producer`);
  return {
    name: 'e2e',
    events: stored.size,
    invalidEvents: 0,
    batches: 0,
    elapsedMillis: Math.round(elapsedMillis),
    eventsPerSecond: Math.round((stored.size * 1000) / Math.max(1, elapsedMillis)),
    latencyUnit: 'event',
    latencyMillis: latency.summary(),
    cpuMicrosPerEvent: Math.round(((usage.cpuMicros + hostCpu) / Math.max(1, stored.size)) * 1000) / 1000,
    peakRssBytes: Math.max(usage.peakRssBytes, hostAfter?.rssBytes ?? 0),
    apiCalls: calls.snapshot(),
    units: billing.snapshot(),
    lambdaBilledMillis: 0,
    outbox: 'kinesalite',
    countedAt: 'producer',
    notes,
    ...(options.rate ? { targetRate: options.rate } : {}),
    sent: sentAt.size,
    stored: stored.size,
  };
}

/** Event id → record id, as the target's vault derives them (the ingest forwards records under these). */
async function deriveRecordIds(
  target: LoadtestTarget,
  events: readonly object[],
): Promise<Map<string, string>> {
  const { createVault } = await importFor('e2e', '@residency/vault', () => import('@residency/vault'));
  const clients = createAwsClients({
    region: target.region,
    ...(target.endpoints ? { endpoints: target.endpoints } : {}),
  });
  const vault = createVault({
    clients,
    region: target.region,
    keyArn: target.keyArn,
    tableName: target.tables.vault,
    auditTableName: target.tables.audit,
  });
  try {
    const eventIds = events.map((event) => String((event as { eventId?: unknown }).eventId));
    const recordIds = await vault.recordIds(eventIds);
    return new Map(eventIds.map((id, i) => [id, recordIds[i] as string]));
  } finally {
    vault.close();
    clients.destroy();
  }
}
