import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booked } from './support/bad-input.ts';
import { aws, core, createFunctionTelemetry, local, pipeline, testing } from './support/deps.ts';
import { type IngestStage, startIngestStage } from './support/ingest-stage.ts';
import { readOutbox } from './support/observe.ts';
import { BASE_MILLIS, eventIdOf, invalidPayloads, person, validEvents } from './support/workload.ts';

// Key and data hygiene: after a full run (ingest with quarantine and aggregates, then the window
// closer releasing cells), nothing the pipeline wrote may hold an identifier or a sensitive value
// in clear, nor an unkeyed hash of one (SHA-256, SHA-1, MD5 in hex or base64, of the raw or the
// normalized form): not a table, not a stream, not a file in the data directory, not a log line,
// a metric or an error message. Only the input stream (the app's own, in region) holds them.

const INGEST_NOW = BASE_MILLIS + 150_000; // both windows (10:00, 10:01) still within their lateness
const CLOSE_NOW = BASE_MILLIS + 600_000; // both windows due
const IDENTIFIER_FIELDS = ['patientId', 'doctorId', 'appointmentId', 'phone', 'email', 'nationalId'] as const;
const SENSITIVE_FIELDS = ['name', 'address', 'note', 'reason', 'dateOfBirth', 'slotStart'] as const;
const NORMALIZER: Record<string, core.NormalizerName> = {
  patientId: 'opaque',
  doctorId: 'opaque',
  appointmentId: 'opaque',
  phone: 'phone',
  email: 'email',
  nationalId: 'nationalId',
};

/** Every identifier and sensitive value of the input, with the normalized forms of identifiers. */
function secretsOf(events: ReadonlyArray<Record<string, unknown>>): testing.SecretValue[] {
  const secrets = new Map<string, testing.SecretValue>();
  for (const event of events) {
    for (const field of [...IDENTIFIER_FIELDS, ...SENSITIVE_FIELDS]) {
      const value = event[field];
      if (typeof value !== 'string' || secrets.has(value)) continue;
      const normalizer = NORMALIZER[field];
      const normalized = normalizer
        ? core.normalizeIdentifier(normalizer, value, { country: 'BD' })
        : undefined;
      secrets.set(value, {
        value,
        label: `${field} of event ${String(event.eventId).slice(-6)}`,
        forms: normalized?.ok && normalized.value !== value ? [normalized.value] : [],
      });
    }
  }
  return [...secrets.values()];
}

describe('key and data hygiene after a full run', () => {
  let dataDir: string;
  let stack: local.LocalStack;
  let clients: aws.AwsClients;
  let ingest: IngestStage;
  let output: testing.OutputCapture;
  const valid = validEvents(160, { seed: 99, patients: 30, spreadMillis: 120_000 });
  const invalid = invalidPayloads(24, 99);
  // Malformed records that carry identifiers: they go to the quarantine, sealed.
  const who = person(4242);
  const malformedWithIdentifiers = [
    booked(eventIdOf(98, 0), { patientId: who.patientId, phone: who.phone, waitDays: 'soon' }),
    { type: 'patient.teleported', patientId: who.patientId, email: who.email, nationalId: who.nationalId },
    Buffer.from(`patient ${who.patientId} phone ${who.phone} not json`),
  ];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hygiene-'));
    stack = await local.startLocalStack({ dataDir, region: 'ap-south-1' });
    clients = aws.createAwsClients(stack.endpointsFile);
    output = testing.captureOutput();
    const telemetry = createFunctionTelemetry('residency-ingest');
    ingest = await startIngestStage({
      endpointsFile: stack.endpointsFile,
      endpointsFilePath: stack.endpointsFilePath,
      dataDir,
      kinesis: clients.kinesis,
      nowMillis: INGEST_NOW,
      allowedLatenessSeconds: 120,
      logger: telemetry.logger,
      metrics: telemetry.metrics,
      mapping: {
        onFailure: local.createFileFailureDestination({ path: join(dataDir, 'on-failure', 'ingest.jsonl') }),
        // The poller's warnings (Kinesis errors and their messages) go to the captured output too.
        logger: {
          warn: (message, fields) =>
            process.stdout.write(
              `${JSON.stringify({ level: 'WARN', message, ...fields, error: String((fields?.error as Error)?.message) })}\n`,
            ),
        },
      },
    });
  });

  afterAll(async () => {
    output?.restore();
    await ingest?.close();
    clients?.destroy();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves no identifier or sensitive value, in clear or as an unkeyed hash, in any table, stream, file, log or metric', async () => {
    // Prepare: a full run
    const file = stack.endpointsFile;
    const payloads = [
      ...valid.map((event) => ({
        data: Buffer.from(JSON.stringify(event)),
        partitionKey: String(event.patientId),
      })),
      ...invalid.map((p, i) => ({ data: p.data, partitionKey: `bad-${i}` })),
      ...malformedWithIdentifiers.map((m, i) => ({
        data: Buffer.isBuffer(m) ? m : Buffer.from(JSON.stringify(m)),
        partitionKey: `id-${i}`,
      })),
    ];
    await testing.putAll(clients.kinesis, file.streams.events ?? '', payloads);
    await ingest.mapping.drain({ timeoutMillis: 300_000 });
    const closerTelemetry = createFunctionTelemetry('residency-window-closer');
    const closer = pipeline.createWindowCloser({
      windows: pipeline.createDynamoWindowStore({
        documentClient: testing.documentClientFor(clients.dynamodb),
        tableName: file.tables.aggregates ?? '',
      }),
      outbox: pipeline.createKinesisOutbox({
        kinesis: clients.kinesis,
        streamName: file.streams.outbox ?? '',
      }),
      catalog: core.clinicbook,
      logger: closerTelemetry.logger,
      metrics: closerTelemetry.metrics,
      clock: { nowMillis: () => CLOSE_NOW },
      k: 2,
    });
    const report = await closer.run();
    const outbox = await readOutbox(clients.kinesis, file.streams.outbox ?? '');

    // Act: gather everything the run wrote
    const haystacks: testing.Haystack[] = [];
    for (const table of await testing.listTableNames(clients.dynamodb)) {
      haystacks.push(
        ...testing.haystacksOf(`table ${table}`, await testing.scanTable(clients.dynamodb, table)),
      );
    }
    for (const stream of await testing.listStreamNames(clients.kinesis)) {
      if (stream === file.streams.events) continue; // the app's input: identifiers by design
      haystacks.push(
        ...testing.haystacksOf(`stream ${stream}`, await testing.readStreamRecords(clients.kinesis, stream)),
      );
    }
    // kinesis/ holds the input stream's LevelDB (the outbox is read above, through the API).
    haystacks.push(...(await testing.readFilesUnder(dataDir, (path) => path.startsWith('kinesis'))));
    const logs = output.text();
    haystacks.push({ name: 'stdout and stderr (logs, EMF metrics, warnings)', content: logs });
    const secrets = secretsOf([
      ...valid,
      ...(malformedWithIdentifiers.filter((m) => !Buffer.isBuffer(m)) as Array<Record<string, unknown>>),
    ]);
    const malformedIds = invalid.flatMap((p, i) => {
      const id = `P-9${String(i).padStart(7, '0')}`;
      return p.data.includes(id) ? [id] : [];
    });
    [who.patientId, who.phone, ...malformedIds].forEach((value, i) => {
      if (!secrets.some((s) => s.value === value))
        secrets.push({ value, label: `identifier ${i} of a malformed record` });
    });
    const tokens = outbox.records.flatMap((r) => [
      ...Object.values(r.tokens),
      ...(r.subject ? [r.subject] : []),
    ]);

    const leaks = testing.scanForLeaks({ values: secrets, haystacks });
    const tokensInLogs = testing.scanForLeaks({
      values: [...new Set(tokens)],
      haystacks: [haystacks.at(-1) as testing.Haystack],
    });

    // Assess: the run did write all of it (tables, outbox records and cells, quarantine, logs, metrics)
    expect(outbox.records.length).toBe(valid.length);
    expect(outbox.aggregates.length).toBe(report.releasedCells);
    expect(report.releasedCells).toBeGreaterThan(0);
    expect(haystacks.some((h) => h.name.startsWith('table residency-quarantine'))).toBe(true);
    expect(haystacks.some((h) => h.name.startsWith('file dynamodb'))).toBe(true);
    expect(logs).toContain('"batch processed"');
    expect(logs).toContain('"record quarantined"');
    expect(logs).toMatch(/"_aws".*RecordsForwarded/);
    expect(secrets.length).toBeGreaterThan(300);
    // ... and the scanner finds what is there: the input stream holds every identifier in clear
    const input = testing.haystacksOf(
      'input',
      await testing.readStreamRecords(clients.kinesis, file.streams.events ?? ''),
    );
    const found = new Set(testing.scanForLeaks({ values: secrets, haystacks: input }).map((l) => l.label));
    expect(secrets.filter((s) => !found.has(s.label ?? s.value)).map((s) => s.label)).toEqual([]);

    // Assess: nothing leaked
    expect(leaks.map((l) => `${l.label}: ${l.encoding} in ${l.haystack}`)).toEqual([]);
    expect(tokensInLogs).toEqual([]);

    // Control: the file scan sees through dynalite's LevelDB files (a canary item written in clear
    // and as an unkeyed SHA-256 after the scan above is found there)
    const [canary, hashed] = secrets as [testing.SecretValue, testing.SecretValue];
    await testing.putCanaryItem(clients.dynamodb, 'hygiene-canary', {
      pk: canary.value,
      digest: createHash('sha256').update(hashed.value).digest('hex'),
    });
    // LevelDB may be compacting the canary's log into a table file as the directory is read (a file
    // that vanishes is skipped), so the files are read again until both encodings show, for a while.
    const caughtIn = async () => {
      const files = await testing.readFilesUnder(join(dataDir, 'dynamodb'));
      const leaks = testing.scanForLeaks({ values: [canary, hashed], haystacks: files });
      // Once per encoding: the canary may be in two files at once (a log and the table compacted from it).
      return [...new Set(leaks.map((l) => l.encoding))].sort();
    };
    let caught = await caughtIn();
    for (let attempt = 0; attempt < 50 && caught.length < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      caught = await caughtIn();
    }
    expect(caught).toEqual(['clear', 'sha256-hex']);
  });
});
