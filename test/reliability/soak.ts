// Soak: the local pipeline at a steady rate for a set time, printing memory and latency per
// interval, to catch leaks and slow drift. Not part of CI.
//
//   AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
//     pnpm tsx test/reliability/soak.ts --minutes 30 --rate 200 [--interval 10] [--faults 0.02]
//
// The whole local pipeline: producer SDK → events → ingest (vault, quarantine, aggregates) →
// outbox → forwarder → control plane, and the window closer once a minute. Latency is from Kinesis
// accepting a record to the ingest finishing its batch; `forwarded` counts records the forwarder
// finished (its backlog is `ingested` minus `forwarded`). With --faults, every emulator and the
// control plane sit behind a fault proxy with that probability per request.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { borderLocal, controlPlane, core, type local, pipeline, producer, testing } from './support/deps.ts';
import { startIngestStage } from './support/ingest-stage.ts';
import { validEvents } from './support/workload.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    interval: { type: 'string', default: '10' },
    faults: { type: 'string', default: '0' },
  },
});
const durationMillis = Number(values.minutes) * 60_000;
const ratePerSecond = Number(values.rate);
const intervalMillis = Number(values.interval) * 1000;
const faultProbability = Number(values.faults);
const TICK_MILLIS = 100;
const CLOSE_EVERY_MILLIS = 60_000;

const dataDir = await mkdtemp(join(tmpdir(), 'soak-'));
const stack = await testing.startFaultyLocalStack({ dataDir });
const direct = stack.directClients();
const key = await borderLocal.loadOrCreateLocalSigningKey(dataDir);
await stack.startPlugin(
  'controlPlane',
  controlPlane.controlPlanePlugin({ publicKeys: { [key.keyId]: key.publicKeyPem } }),
);
let forwarder: local.EventSourceMapping | undefined;
await stack.startPlugin(
  'forwarder',
  borderLocal.forwarderPlugin({
    signingKey: key,
    onStarted: (mapping) => {
      forwarder = mapping;
    },
  }),
);
const latencies: number[] = [];
let ingested = 0;
const ingest = await startIngestStage({
  endpointsFile: stack.endpointsFile,
  endpointsFilePath: stack.endpointsFilePath,
  dataDir,
  kinesis: stack.proxiedClients().kinesis,
  allowedLatenessSeconds: 120,
  mapping: { batchSize: 500, idlePollMillis: 200, maximumRetryAttempts: -1 },
  observe(event, response) {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const now = Date.now();
    for (const record of event.Records) {
      if (failed.has(record.kinesis.sequenceNumber)) continue;
      ingested += 1;
      latencies.push(now - record.kinesis.approximateArrivalTimestamp * 1000);
    }
  },
});
const closer = pipeline.createWindowCloser({
  windows: pipeline.createDynamoWindowStore({
    documentClient: testing.documentClientFor(direct.dynamodb),
    tableName: stack.endpointsFile.tables.aggregates ?? '',
  }),
  outbox: pipeline.createKinesisOutbox({
    kinesis: direct.kinesis,
    streamName: stack.endpointsFile.streams.outbox ?? '',
  }),
  catalog: core.clinicbook,
  logger: pipeline.silentLogger,
  metrics: pipeline.createInMemoryMetrics(),
});
const app = producer.createProducer({
  streamName: stack.endpointsFile.streams.events ?? '',
  region: stack.region,
  endpoint: stack.emulators.kinesis.url,
  partitionKeySecret: randomBytes(32),
  logger: { warn: () => undefined },
});
if (faultProbability > 0) stack.setFaults(testing.mixedFaults({ probability: faultProbability, seed: 1 }));

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
console.log('elapsed_s sent ingested forwarded rss_mb heap_mb p50_ms p95_ms p99_ms max_ms window_closer');
const start = Date.now();
let sent = 0;
let chunk = 0;
let nextReport = start + intervalMillis;
let nextClose = start + CLOSE_EVERY_MILLIS;
let closerNote = '';
while (Date.now() - start < durationMillis) {
  const due = Math.floor(((Date.now() - start) / 1000) * ratePerSecond) - sent;
  if (due > 0) {
    const now = new Date().toISOString();
    const events = validEvents(due, { seed: ++chunk, patients: 5_000 });
    await Promise.all(events.map((event) => app.send({ ...event, occurredAt: now } as never)));
    sent += due;
  }
  if (Date.now() >= nextClose) {
    nextClose += CLOSE_EVERY_MILLIS;
    const report = await closer.run();
    closerNote = `released=${report.releasedCells} suppressed=${report.suppressedCells}`;
  }
  if (Date.now() >= nextReport) {
    nextReport += intervalMillis;
    const sorted = latencies.splice(0).sort((a, b) => a - b);
    const memory = process.memoryUsage();
    const counts = [sent, ingested, forwarder?.stats().recordsSucceeded ?? 0];
    const latency = [0.5, 0.95, 0.99].map((p) => percentile(sorted, p));
    console.log(
      [
        ((Date.now() - start) / 1000).toFixed(0),
        ...counts,
        mb(memory.rss),
        mb(memory.heapUsed),
        ...latency,
        sorted.at(-1) ?? 0,
        closerNote,
      ].join(' '),
    );
    closerNote = '';
  }
  await new Promise((resolve) => setTimeout(resolve, TICK_MILLIS));
}
await app.close({ timeoutMillis: 10_000 });
await ingest.close();
await stack.stop();
await rm(dataDir, { recursive: true, force: true });
