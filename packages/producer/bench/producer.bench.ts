/**
 * Producer benchmark. Prints:
 * 1. events/s through `send` into a local kinesalite stream (emulator in a child process, so it
 *    has its own core), with `close()` included, so every event is acknowledged;
 * 2. the SDK's own CPU cost per event in this process, with the stream replaced by the fake
 *    transport: validation, partition key, serialization, batching and bookkeeping.
 *
 * Run: pnpm tsx packages/producer/bench/producer.bench.ts [--events 50000] [--patients 5000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAwsClients } from '@residency/aws';
import { clinicbook, validateEvent } from '@residency/core';
import { createFakeTransport, createProducer, type ProducerEvent } from '../src/index.ts';
import { startChildKinesalite } from '../tests/support/emulator.ts';
import { makeEvents } from '../tests/support/events.ts';
import { createStream } from '../tests/support/stream.ts';

const REGION = 'ap-south-1';
const { values } = parseArgs({
  options: { events: { type: 'string', default: '50000' }, patients: { type: 'string', default: '5000' } },
});
const EVENTS = Number(values.events);
const PATIENTS = Number(values.patients);

async function drive(events: readonly ProducerEvent[], producer: ReturnType<typeof createProducer>) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const event of events) await producer.send(event);
  const report = await producer.close({ timeoutMillis: 600_000 });
  const millis = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { report, millis, cpuMicros: used.user + used.system };
}

// 1. Into kinesalite.
const kinesis = await startChildKinesalite(REGION);
const admin = createAwsClients({ region: REGION, endpoints: { kinesis: kinesis.url } });
try {
  const streamName = await createStream(admin.kinesis, 2, 'bench');
  const events = makeEvents(EVENTS, PATIENTS);
  const producer = createProducer({
    streamName,
    region: REGION,
    endpoint: kinesis.url,
    partitionKeySecret: randomBytes(32),
  });
  const { report, millis, cpuMicros } = await drive(events, producer);
  console.log(
    `kinesalite: ${EVENTS} events, ${PATIENTS} patients, 2 shards: ${Math.round((EVENTS / millis) * 1000)} events/s ` +
      `(sent ${report.sent}, failed ${report.failed.length}, retried ${producer.counters().retried}); ` +
      `producer process CPU ${(cpuMicros / EVENTS).toFixed(1)} us/event incl. the AWS SDK`,
  );
} finally {
  admin.destroy();
  await kinesis.close();
}

// 2. In process, fake transport: the SDK's overhead alone. One warm-up round, then three measured.
const perEvent: number[] = [];
for (let round = 0; round < 4; round++) {
  const events = makeEvents(EVENTS, PATIENTS);
  const transport = createFakeTransport({ keepRecords: false });
  const producer = createProducer({
    streamName: 'bench',
    region: REGION,
    transport,
    partitionKeySecret: randomBytes(32),
  });
  const { report, millis, cpuMicros } = await drive(events, producer);
  if (round === 0) continue;
  perEvent.push(cpuMicros / EVENTS);
  console.log(
    `fake transport, round ${round}: ${Math.round((EVENTS / millis) * 1000)} events/s, ` +
      `${(cpuMicros / EVENTS).toFixed(1)} us CPU/event (sent ${report.sent}, ${transport.stats().calls} PutRecords)`,
  );
}
const median = [...perEvent].sort((a, b) => a - b)[1] ?? 0;
console.log(
  `fake transport: median ${median.toFixed(1)} us CPU/event (validate + key + serialize + batch + bookkeeping)`,
);

// 3. For scale: core's validateEvent alone on the same events (part of the cost above).
{
  const events = makeEvents(EVENTS, PATIENTS).map((e) => ({ ...e, schemaVersion: 1 }));
  for (const e of events.slice(0, 5_000)) validateEvent(clinicbook, e);
  const cpu = process.cpuUsage();
  for (const e of events) validateEvent(clinicbook, e);
  const used = process.cpuUsage(cpu);
  console.log(
    `of which validateEvent (core): ${((used.user + used.system) / EVENTS).toFixed(1)} us CPU/event`,
  );
}
