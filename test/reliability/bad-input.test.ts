import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadInput, badInput, booked, handWrittenInputs } from './support/bad-input.ts';
import { aws, core, local, pipeline, testing } from './support/deps.ts';
import { type IngestStage, startIngestStage } from './support/ingest-stage.ts';
import { readOutbox, readQuarantine } from './support/observe.ts';
import { forwardedByEventId, type Outcomes, violations } from './support/outcomes.ts';
import { eventIdsByRecordId, stackEventIdsByRecordId } from './support/record-ids.ts';
import { BASE_MILLIS, eventIdOf } from './support/workload.ts';

const SHARD = 'shardId-000000000000';
const STREAM_ARN = 'arn:aws:kinesis:ap-south-1:000000000000:stream/residency-events';
const NOW = { nowMillis: () => BASE_MILLIS + 5 * 60_000 };

function kinesisEvent(inputs: readonly BadInput[]): KinesisStreamEvent {
  return {
    Records: inputs.map((input, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `pk-${i}`,
        sequenceNumber: String(1000 + i),
        data: input.rawData ?? Buffer.from(input.bytes).toString('base64'),
        approximateArrivalTimestamp: BASE_MILLIS / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${SHARD}:${1000 + i}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/ingest',
      awsRegion: 'ap-south-1',
      eventSourceARN: STREAM_ARN,
    })),
  };
}

/** Runs one batch through the real ingest handler over the in-memory ports. */
async function ingestOnFakes(
  inputs: readonly BadInput[],
): Promise<{ failures: unknown[]; outcomes: Outcomes }> {
  const outbox = pipeline.createInMemoryOutbox();
  const quarantine = pipeline.createInMemoryQuarantine();
  const tokenPort = core.createInMemoryTokenPort();
  const handler = pipeline.createIngestHandler({
    catalog: core.clinicbook,
    tokenPort,
    outbox,
    quarantine,
    aggregates: pipeline.createInMemoryAggregates({ allowedLatenessSeconds: 86_400 }),
    logger: pipeline.silentLogger,
    metrics: pipeline.createInMemoryMetrics(),
    clock: NOW,
  });
  const response = await handler(kinesisEvent(inputs));
  const eventOf = await eventIdsByRecordId(
    tokenPort,
    inputs.flatMap((input) => (input.eventId ? [input.eventId] : [])),
  );
  const records = outbox.entries.flatMap((entry) =>
    entry.message.kind === 'record' ? [entry.message.record] : [],
  );
  return {
    failures: response.batchItemFailures,
    outcomes: {
      quarantined: inputs.map((_, i) => quarantine.entries.get(`${SHARD}#${1000 + i}`)),
      ...forwardedByEventId(records, eventOf),
    },
  };
}

describe('bad input through the ingest handler (in-memory ports)', () => {
  it('quarantines or forwards every generated input, with a reason, and never fails or blocks a record for it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(badInput, { minLength: 1, maxLength: 12 }), async (templates) => {
        // Prepare
        run += 1;
        const inputs = templates.map((template, i) => template(eventIdOf(run, i)));

        // Act
        const { failures, outcomes } = await ingestOnFakes(inputs);

        // Assess
        expect(failures).toEqual([]);
        expect(violations(inputs, outcomes)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('handles every hand-written input as expected, in one batch', async () => {
    // Prepare
    const inputs = handWrittenInputs().map((template, i) => template(eventIdOf(7, i)));

    // Act
    const { failures, outcomes } = await ingestOnFakes(inputs);

    // Assess
    expect(failures).toEqual([]);
    expect(violations(inputs, outcomes)).toEqual([]);
    const planted = inputs.flatMap((input, i) => (input.pii ? [outcomes.quarantined[i]] : []));
    expect(planted.length).toBeGreaterThan(10);
    for (const entry of planted) expect(entry?.issues.map((issue) => issue.code)).toContain('personal_data');
  });
});

describe('bad input through the real local stack and event source mapping', () => {
  let dataDir: string;
  let stack: local.LocalStack;
  let clients: aws.AwsClients;
  let ingest: IngestStage;
  // Every bad input is followed by a valid canary on the same (only) shard: if a bad input
  // blocked the shard, its canary would not arrive.
  const inputs = [
    ...handWrittenInputs(),
    (): BadInput => ({
      label: 'a 1,000,000-byte record (Kinesis takes 1 MiB)',
      bytes: Buffer.alloc(1_000_000, 0xfe),
      expect: { outcome: 'quarantine', reason: 'not_base64_json' },
    }),
    (id: string): BadInput => ({
      label: 'a valid event of ~1 MB (an unknown member carries the bulk)',
      bytes: Buffer.from(JSON.stringify({ ...booked(id), x_blob: 'b'.repeat(1_000_000) })),
      expect: { outcome: 'forward' },
      eventId: id,
    }),
  ]
    .map((template, i) => template(eventIdOf(11, i)))
    // Kinesis base64-encodes whatever it is given: a record's data cannot be other than base64.
    .filter((input) => input.rawData === undefined);
  const canaries = inputs.map((_, i) =>
    booked(eventIdOf(12, i), { patientId: `P-C${String(i).padStart(7, '0')}` }),
  );

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bad-input-'));
    stack = await local.startLocalStack({ dataDir, region: 'ap-south-1', shardCount: 1 });
    clients = aws.createAwsClients(stack.endpointsFile);
    ingest = await startIngestStage({
      endpointsFile: stack.endpointsFile,
      endpointsFilePath: stack.endpointsFilePath,
      dataDir,
      kinesis: clients.kinesis,
      nowMillis: NOW.nowMillis(),
      // Few retries: a record that made the function fail would be discarded and show up below.
      mapping: { maximumRetryAttempts: 2, batchSize: 50 },
    });
  });

  afterAll(async () => {
    await ingest?.close();
    clients?.destroy();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('quarantines each bad input with its reason, forwards every canary after it, and never fails the function', async () => {
    // Prepare
    const events = stack.endpointsFile.streams.events ?? '';
    const records = inputs.flatMap((input, i) => [
      { data: input.bytes, partitionKey: 'one-shard' },
      { data: Buffer.from(JSON.stringify(canaries[i])), partitionKey: 'one-shard' },
    ]);
    // PutRecords takes 5 MiB per call: put the big ones alone.
    for (const record of records) await testing.putAll(clients.kinesis, events, [record]);

    // Act
    await ingest.mapping.drain({ timeoutMillis: 300_000 });

    // Assess: nothing failed or was discarded, no shard was blocked
    const stats = ingest.mapping.stats();
    expect(stats.functionErrors).toBe(0);
    expect(stats.batchesDiscarded).toBe(0);
    expect(ingest.onFailure.records).toEqual([]);
    const outbox = await readOutbox(clients.kinesis, stack.endpointsFile.streams.outbox ?? '');
    const canaryIds = new Set(canaries.map((c) => String(c.eventId)));
    const eventOf = await stackEventIdsByRecordId(stack.endpointsFile, [
      ...canaryIds,
      ...inputs.flatMap((input) => (input.eventId ? [input.eventId] : [])),
    ]);
    const { forwarded, unattributed } = forwardedByEventId(outbox.records, eventOf);
    expect(canaries.filter((c) => !forwarded.has(String(c.eventId))).map((c) => c.eventId)).toEqual([]);

    // Assess: every input is where it belongs (the quarantine matched by its decrypted payload)
    const quarantine = await readQuarantine(
      testing.documentClientFor(clients.dynamodb),
      stack.endpointsFile.tables.quarantine ?? '',
      pipeline.createKmsPayloadEncryptor({ kms: clients.kms, keyArn: stack.endpointsFile.keyArn }),
    );
    const byPayload = new Map(quarantine.map((q) => [q.payload.toString('base64'), q.item]));
    const outcomes: Outcomes = {
      // Payloads over 300 KiB are kept truncated.
      quarantined: inputs.map((input) =>
        byPayload.get(
          Buffer.from(input.bytes).subarray(0, pipeline.MAX_QUARANTINED_PAYLOAD_BYTES).toString('base64'),
        ),
      ),
      forwarded,
      unattributed,
    };
    expect(violations(inputs, outcomes)).toEqual([]);
    expect(quarantine.length, 'quarantine items that are not ours').toBe(
      outcomes.quarantined.filter((q) => q !== undefined).length,
    );
  });
});
