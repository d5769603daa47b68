import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, borderLocal, controlPlane, pipeline, producer, testing } from './support/deps.ts';
import { type IngestStage, startIngestStage } from './support/ingest-stage.ts';
import {
  closeEveryWindow,
  readBorderQuarantine,
  readControlPlane,
  readOutbox,
  readQuarantine,
} from './support/observe.ts';
import {
  RECONCILED,
  readControlPlaneLedger,
  readEgressLog,
  reconcileEgressLog,
} from './support/reconcile.ts';
import { stackEventIdsByRecordId } from './support/record-ids.ts';
import {
  compareAggregates,
  referenceAggregates,
  referenceRelease,
  storedAggregates,
} from './support/reference.ts';
import {
  BASE_MILLIS,
  denseCell,
  type InvalidPayload,
  invalidPayloads,
  validEvents,
} from './support/workload.ts';

// "Copy under bounce", after Kafka's transactions system test: copy N unique events through the
// whole local pipeline (producer SDK → events stream → ingest → outbox → forwarder → control
// plane, plus the window closer) while every component fails and restarts, then compare what the
// control plane stored with what went in, as sets.
//
// Size: BOUNCE_EVENTS valid events (default 2000), 1 in 25 as many malformed ones.
//   BOUNCE_EVENTS=20000 pnpm vitest run --project reliability copy-under-bounce
// Also: BOUNCE_SEED (default 20260301), BOUNCE_FAULT_PROBABILITY (per request, default 0.08).

const VALID = Number(process.env.BOUNCE_EVENTS ?? 2_000);
const INVALID = Math.max(16, Math.round(VALID / 25));
const SEED = Number(process.env.BOUNCE_SEED ?? 20_260_301);
const FAULT_PROBABILITY = Number(process.env.BOUNCE_FAULT_PROBABILITY ?? 0.08);
const WINDOW_SECONDS = 60;
const LATENESS_SECONDS = 86_400;
const K = 10;
const INGEST_NOW = BASE_MILLIS + 11 * 60_000;
const CLOSE_NOW = BASE_MILLIS + 3 * LATENESS_SECONDS * 1000;
const DRAIN_TIMEOUT_MILLIS = 600_000;

/** A restart or crash, run while the producer writes the next slice. */
interface Bounce {
  name: string;
  run(): Promise<unknown>;
}

/**
 * The producer's faults, ambiguous ones included: a reset or a 503 after the stream stored the
 * records, and timeouts. The producer sends such records again, so some events land twice under
 * two sequence numbers (the first ambiguous failure is forced, so there is always at least one):
 * the aggregates must still count each once.
 */
function producerFaults(probability: number, seed: number): testing.FaultPlan {
  return {
    seed,
    rules: [
      { fault: { kind: 'reset', afterForwarding: true }, next: 1 },
      { fault: { kind: 'serverError', status: 503, afterForwarding: true }, probability: probability / 4 },
      ...testing.mixedFaults({ probability, seed, timeoutHoldMillis: 1_000 }).rules,
    ],
  };
}

type Item = { event: Record<string, unknown> } | { invalid: InvalidPayload };

/** Valid events and malformed payloads interleaved, cut into `count` slices. */
function slices(
  valid: ReadonlyArray<Record<string, unknown>>,
  invalid: readonly InvalidPayload[],
  count: number,
) {
  const items: Item[] = valid.map((event) => ({ event }));
  const step = Math.max(1, Math.floor(items.length / (invalid.length + 1)));
  invalid.forEach((payload, i) => {
    items.splice(Math.min(items.length, (i + 1) * step + i), 0, { invalid: payload });
  });
  const size = Math.ceil(items.length / count);
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size));
}

describe('copy under bounce: producer → ingest → forwarder → control plane, with faults on every component', () => {
  // Random events, plus two dense cells around k: one released (k patients), one suppressed (k - 1).
  const valid = [
    ...validEvents(VALID, { seed: SEED, patients: Math.max(20, Math.round(VALID / 8)) }),
    ...denseCell(SEED + 1, K, 'general'),
    ...denseCell(SEED + 2, K - 1, 'paediatrics'),
  ];
  const invalid = invalidPayloads(INVALID, SEED);
  let dataDir: string;
  let stack: testing.FaultyLocalStack;
  let direct: aws.AwsClients;
  let producerProxy: testing.FaultProxy;
  let legacyApp: aws.AwsClients;
  let app: producer.Producer;
  let ingest: IngestStage;
  let cp: testing.BounceablePlugin;
  let forwarder: testing.BounceablePlugin;
  // One bounceable poller per start of the forwarder plugin (a restart builds a new one).
  const forwarderMappings: testing.BounceableMapping[] = [];
  const forwarderMapping = () => forwarderMappings.at(-1);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'copy-under-bounce-'));
    stack = await testing.startFaultyLocalStack({ dataDir, shardCount: 2 });
    direct = stack.directClients();
    const key = await borderLocal.loadOrCreateLocalSigningKey(dataDir);
    cp = await stack.startPlugin(
      'controlPlane',
      controlPlane.controlPlanePlugin({ publicKeys: { [key.keyId]: key.publicKeyPem } }),
    );
    forwarder = await stack.startPlugin(
      'forwarder',
      borderLocal.forwarderPlugin({
        signingKey: key,
        createMapping: (options) => {
          const mapping = testing.createBounceableMapping(options);
          forwarderMappings.push(mapping);
          return mapping;
        },
      }),
    );
    ingest = await startIngestStage({
      endpointsFile: stack.endpointsFile,
      endpointsFilePath: stack.endpointsFilePath,
      dataDir,
      kinesis: stack.proxiedClients().kinesis,
      nowMillis: INGEST_NOW,
      allowedLatenessSeconds: LATENESS_SECONDS,
    });
    // Apps reach Kinesis over their own path, with their own faults: the producer SDK, and an app
    // that puts raw records (the malformed ones, which the SDK would refuse).
    producerProxy = await testing.startFaultProxy({ target: stack.emulators.kinesis.url });
    legacyApp = aws.createAwsClients({ region: stack.region, endpoints: { kinesis: producerProxy.url } });
    app = producer.createProducer({
      streamName: stack.endpointsFile.streams.events ?? '',
      region: stack.region,
      endpoint: producerProxy.url,
      partitionKeySecret: randomBytes(32),
      retryDeadlineMillis: DRAIN_TIMEOUT_MILLIS,
      logger: { warn: () => undefined },
    });
  });

  afterAll(async () => {
    await app?.close({ timeoutMillis: 5_000 });
    await ingest?.close();
    legacyApp?.destroy();
    await producerProxy?.close();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses malformed events at the producer', async () => {
    // Prepare: the malformed payloads that are JSON objects (the others cannot even be sent)
    const objects = invalid.flatMap((p) => {
      try {
        const value: unknown = JSON.parse(p.data.toString('utf8'));
        return value && typeof value === 'object' && !Array.isArray(value) ? [value] : [];
      } catch {
        return [];
      }
    });

    // Act
    const outcomes = await Promise.allSettled(objects.map((event) => app.send(event as never)));

    // Assess
    expect(objects.length).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.status)).toEqual(objects.map(() => 'rejected'));
  });

  it('stores exactly the valid events (as sets, after dedupe), quarantines exactly the invalid ones, and the aggregates equal the reference', async () => {
    // Prepare: faults on every path, and the bounces between slices of the workload
    const events = stack.endpointsFile.streams.events ?? '';
    const mixed = (probability: number, seed: number) =>
      testing.mixedFaults({ probability, seed, timeoutHoldMillis: 1_000 });
    stack.setFaults({
      kinesis: mixed(FAULT_PROBABILITY, SEED),
      dynamodb: mixed(FAULT_PROBABILITY, SEED + 1),
      // KMS is called at cold start and when a data key expires: rarely, so fault it often, and
      // throttle the first calls after each cold start for sure.
      kms: {
        seed: SEED + 2,
        rules: [{ fault: { kind: 'throttle' }, next: 2 }, ...mixed(0.5, SEED + 2).rules],
      },
      controlPlane: mixed(FAULT_PROBABILITY * 2, SEED + 4),
    });
    producerProxy.setFaults(producerFaults(Math.max(0.25, FAULT_PROBABILITY), SEED + 3));
    const bounces: Bounce[] = [
      {
        name: 'crash the ingest poller mid-batch',
        run: () => ingest.mapping.crashOnInvocation(2),
      },
      {
        name: 'restart dynalite',
        run: () => stack.emulators.dynamodb.restart({ downMillis: 200 }),
      },
      { name: 'restart the control plane', run: () => cp.restart({ downMillis: 200 }) },
      {
        name: 'restart kms-local',
        run: () => stack.emulators.kms.restart({ downMillis: 200 }),
      },
      { name: 'cold-start the ingest function', run: () => ingest.function.restart() },
      {
        name: 'restart kinesalite',
        run: () => stack.emulators.kinesis.restart({ downMillis: 200 }),
      },
      {
        name: 'restart the forwarder',
        run: () => forwarder.restart({ downMillis: 200 }),
      },
      {
        // The invocation sends (and the control plane stores) its batches but is never acknowledged:
        // the next poller sends those records again, in batches cut differently.
        name: 'crash the forwarder poller mid-batch',
        run: () =>
          forwarderMapping()?.crashOnInvocation(1) ?? Promise.reject(new Error('no forwarder poller')),
      },
      {
        name: 'restart the ingest poller cleanly',
        run: () => ingest.mapping.restart(),
      },
      {
        name: 'crash the ingest poller mid-batch',
        run: () => ingest.mapping.crashOnInvocation(1),
      },
    ];
    const parts = slices(valid, invalid, bounces.length + 1);
    const failed: producer.DeliveryFailure[] = [];
    const produce = async (part: number) => {
      const items = parts[part] ?? [];
      const raw = items.flatMap((item) => ('invalid' in item ? [item.invalid] : []));
      await Promise.all([
        ...items.flatMap((item) => ('event' in item ? [app.send(item.event as never)] : [])),
        testing.putAll(
          legacyApp.kinesis,
          events,
          raw.map((p, i) => ({ data: p.data, partitionKey: `raw-${part}-${i}` })),
        ),
      ]);
      failed.push(...(await app.flush()).failed);
    };
    const drainAll = async () => {
      await ingest.mapping.drain({ timeoutMillis: DRAIN_TIMEOUT_MILLIS });
      await forwarderMapping()?.drain({ timeoutMillis: DRAIN_TIMEOUT_MILLIS });
    };

    // Act: produce slice by slice, bouncing a component between (or during) slices; drain; close
    // every window (the closer under faults too); drain; then drain once more without faults
    await produce(0);
    for (const [i, bounce] of bounces.entries()) {
      await Promise.all([bounce.run(), produce(i + 1)]);
    }
    await drainAll();
    const inRegion = await storedAggregates(
      pipeline.createDynamoWindowStore({
        documentClient: testing.documentClientFor(direct.dynamodb),
        tableName: stack.endpointsFile.tables.aggregates ?? '',
      }),
    );
    const closed = await closeEveryWindow(stack, {
      nowMillis: CLOSE_NOW,
      k: K,
      allowedLatenessSeconds: LATENESS_SECONDS,
    });
    await drainAll();
    stack.clearFaults();
    await drainAll();

    // Assess 0: the harness did what it claims (faults on every path, every bounce happened, each
    // payload on the input stream once, nothing discarded by a poller, no event lost by the producer)
    const faults: Record<string, testing.FaultStats> = { ...stack.stats(), producer: producerProxy.stats() };
    for (const name of ['kinesis', 'dynamodb', 'kms', 'controlPlane', 'producer']) {
      expect
        .soft(testing.injectedTotal(faults[name] ?? testing.emptyStats()), `faults on ${name}`)
        .toBeGreaterThan(0);
    }
    expect(ingest.mapping.crashes).toBe(2);
    expect(ingest.mapping.restarts).toBe(1);
    expect(ingest.function.coldStarts).toBeGreaterThanOrEqual(2);
    for (const emulator of Object.values(stack.emulators)) expect(emulator.restarts).toBe(1);
    expect([cp.restarts, forwarder.restarts]).toEqual([1, 1]);
    expect(forwarderMappings.map((mapping) => mapping.crashes)).toEqual([0, 1]);
    expect(forwarderMappings.map((mapping) => mapping.stats().batchesDiscarded)).toEqual([0, 0]);
    expect(failed).toEqual([]);
    // Every payload is on the input stream, some twice (the producer's repeats after ambiguous
    // failures): the aggregates below must count each event once all the same
    const onStream = await testing.readStreamRecords(direct.kinesis, events);
    const validIds = new Set(valid.map((e) => String(e.eventId)));
    const keyOf = (data: Uint8Array) => {
      const text = Buffer.from(data).toString('utf8');
      try {
        const id = (JSON.parse(text) as { eventId?: unknown }).eventId;
        if (typeof id === 'string' && validIds.has(id)) return id;
      } catch {}
      return `raw:${Buffer.from(data).toString('base64')}`;
    };
    const payloads = new Set(onStream.map((r) => keyOf(r.data)));
    const sent = [...validIds, ...invalid.map((p) => `raw:${p.data.toString('base64')}`)];
    expect(
      sent.filter((key) => !payloads.has(key)),
      'payloads missing from the stream',
    ).toEqual([]);
    expect(payloads.size, 'payloads on the stream that nobody sent').toBe(sent.length);
    const repeatsOnStream = onStream.length - payloads.size;
    expect(repeatsOnStream, 'records the producer put twice').toBeGreaterThan(0);
    expect(ingest.mapping.stats().batchesDiscarded).toBe(0);
    expect(ingest.onFailure.records).toEqual([]);
    expect(closed.remainingOpen).toBe(0);

    // Assess 1: the outbox holds each valid event (copies identical), the in-region aggregates
    // equal a reference computed from the input alone
    const outbox = await readOutbox(direct.kinesis, stack.endpointsFile.streams.outbox ?? '');
    expect(outbox.notStrict).toEqual([]);
    // Records cross under ids the vault derives from the event ids: follow each event by its own.
    const eventOf = await stackEventIdsByRecordId(
      stack.endpointsFile,
      valid.map((e) => String(e.eventId)),
    );
    const recordOf = new Map([...eventOf].map(([recordId, eventId]) => [eventId, recordId]));
    const byId = new Map<string, string>();
    const differingCopies: string[] = [];
    for (const record of outbox.records) {
      const json = JSON.stringify(record);
      if ((byId.get(record.recordId) ?? json) !== json) differingCopies.push(record.recordId);
      byId.set(record.recordId, json);
    }
    const expectedIds = new Set(eventOf.keys());
    expect(
      [...expectedIds].filter((id) => !byId.has(id)),
      'lost before the outbox',
    ).toEqual([]);
    expect(
      [...byId.keys()].filter((id) => !expectedIds.has(id)),
      'unexpected on the outbox',
    ).toEqual([]);
    expect(differingCopies, 'copies of one record that differ').toEqual([]);
    const subjectByRecord = new Map(outbox.records.map((r) => [r.recordId, r.subject ?? '']));
    const subjectOf = (eventId: string) => subjectByRecord.get(recordOf.get(eventId) ?? '');
    const reference = await referenceAggregates(valid, { windowSeconds: WINDOW_SECONDS });
    expect(compareAggregates(inRegion, reference, subjectOf)).toEqual([]);

    // Assess 2: the ingest's quarantine holds exactly the invalid payloads, each with its reason;
    // the border blocked nothing (the workload has no personal data in public fields)
    const documentClient = testing.documentClientFor(direct.dynamodb);
    const quarantineTable = stack.endpointsFile.tables.quarantine ?? '';
    const encryptor = pipeline.createKmsPayloadEncryptor({
      kms: direct.kms,
      keyArn: stack.endpointsFile.keyArn,
    });
    const quarantined = await readQuarantine(documentClient, quarantineTable, encryptor);
    expect(new Map(quarantined.map((q) => [q.payload.toString('base64'), q.item.reason]))).toEqual(
      new Map(invalid.map((p) => [p.data.toString('base64'), p.reason])),
    );
    expect(await readBorderQuarantine(documentClient, quarantineTable)).toEqual([]);

    // Assess 3: the control plane stored exactly the valid events, each as the ingest made it, and
    // exactly the cells the reference releases with k = 10
    const stored = await readControlPlane(stack.endpointsFile);
    expect(
      [...expectedIds].filter((id) => !stored.records.has(id)),
      'lost',
    ).toEqual([]);
    expect(
      [...stored.records.keys()].filter((id) => !expectedIds.has(id)),
      'unexpected',
    ).toEqual([]);
    expect(
      [...stored.records].filter(([id, record]) => JSON.stringify(record) !== byId.get(id)).map(([id]) => id),
    ).toEqual([]);
    const release = referenceRelease(reference, subjectOf, K);
    expect(release.released.length).toBeGreaterThan(0);
    expect(release.suppressedCells).toBeGreaterThan(0);
    expect(stored.aggregates).toEqual(new Map(release.released.map((cell) => [cell.cellId, cell])));

    // Assess 4: the egress log reconciles with what the control plane accepted, as sets: every
    // batch it stored was logged (id, count, items digest), every record and cell it holds is in
    // an acknowledged entry and vice versa, and each record's storing batch lists it
    const egress = await readEgressLog(documentClient, stack.endpointsFile.tables.egressLog ?? '');
    const ledger = await readControlPlaneLedger(stack.endpointsFile);
    expect(ledger.recordBatch.size).toBe(expectedIds.size);
    expect(ledger.batches.length).toBeGreaterThan(0);
    expect(reconcileEgressLog(egress, ledger)).toEqual(RECONCILED);
    const acknowledgedRecordIds = egress
      .filter((entry) => entry.status === 'acknowledged' && entry.kind === 'records')
      .flatMap((entry) => entry.itemIds);

    console.info(
      `copy under bounce: ${valid.length} valid + ${invalid.length} invalid events; ` +
        `${repeatsOnStream} producer repeats on the input stream; ` +
        `outbox ${outbox.records.length} records (${outbox.records.length - byId.size} duplicates); ` +
        `${release.released.length} cells released, ${release.suppressedCells} suppressed; ` +
        `${ingest.mapping.stats().recordsDelivered} ingest deliveries, ${ingest.function.coldStarts} cold starts (${ingest.function.failedColdStarts} failed); ` +
        `egress log ${egress.length} entries, ${acknowledgedRecordIds.length - new Set(acknowledgedRecordIds).size} records acknowledged more than once; ` +
        `faults ${JSON.stringify(Object.fromEntries(Object.entries(faults).map(([n, s]) => [n, testing.injectedTotal(s)])))}`,
    );
  });
});
