import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AwsClients, createAwsClients, type EndpointsFile, readEndpointsFile } from '@residency/aws';
import { createCountryResolver, EventValidationError } from '@residency/core';
import { type LocalStack, startLocalStack } from '@residency/local';
import { createInMemoryMetrics } from '@residency/pipeline';
import { createProducer, DeliveryFailedError, type ProducerEvent } from '@residency/producer';
import { createVaultFromEndpointsFile } from '@residency/vault';
import { LOCAL_TENANT_COUNTRIES, localPipelinePlugins, type PipelineHandles } from '../stack/plugins.ts';
import { type SentEvent, tallyQuarantine } from './accounting.ts';
import { type ControlPlaneView, openControlPlane } from './control-plane-view.ts';
import type { InputLine } from './input.ts';
import type { RejectedLine, RunReport } from './report.ts';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  input: AsyncIterable<InputLine>;
  dataDir: string;
  region: string;
  /** Aggregate window length for a stack this run starts. Default: the pipeline's (60 s). */
  windowSeconds?: number;
  /** How long to wait for every event to be accounted for, in milliseconds. Default: 180000. */
  timeoutMillis?: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

/** A run's report, and the stack if this run started it (the caller stops it, or keeps serving). */
export interface PipelineRun {
  report: RunReport;
  /** Set when `run` started the stack itself; undefined when it used a running `residency up`. */
  ownStack?: LocalStack;
}

const POLL_MILLIS = 500;

const countryOf = createCountryResolver({
  defaultCountry: LOCAL_TENANT_COUNTRIES.defaultCountry,
  byPrefix: { ...LOCAL_TENANT_COUNTRIES.byPrefix },
});

/**
 * The main job: sends every input line through the producer into the local stack (starting it if
 * no `residency up` is running for the directory), waits until every event is forwarded or
 * quarantined, releases the closed windows' aggregates, and reports. Nothing is lost silently:
 * every line ends as sent (then forwarded or quarantined), rejected with a reason, or failed to send.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRun> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const handles: PipelineHandles = {};
  const attached = await runningStack(options.dataDir);
  let ownStack: LocalStack | undefined;
  let file: EndpointsFile;
  if (attached) {
    file = attached;
    log(`using the running stack in ${options.dataDir}`);
  } else {
    log(`starting the local stack in ${options.dataDir}`);
    ownStack = await startLocalStack({
      dataDir: options.dataDir,
      region: options.region,
      plugins: localPipelinePlugins(
        {
          dataDir: options.dataDir,
          logLevel: 'ERROR',
          metrics: () => createInMemoryMetrics(),
          ...(options.windowSeconds ? { windowSeconds: options.windowSeconds } : {}),
        },
        handles,
      ),
    });
    file = ownStack.endpointsFile;
  }
  const clients = createAwsClients({ region: file.region, endpoints: file.endpoints });
  const controlPlane = await openControlPlane(file);
  try {
    const sending = await sendAll(options, file);
    log(
      `sent ${sending.sent.size} events, rejected ${sending.rejected.length} lines; waiting for the pipeline`,
    );
    const accounted = await waitForAccounting(
      clients,
      file,
      controlPlane,
      sending.sent,
      options.timeoutMillis ?? 180_000,
      log,
    );
    const aggregates = await releaseAggregates(handles, controlPlane, log);
    const report: RunReport = {
      lines: sending.lines,
      sent: sending.sent.size,
      rejected: sending.rejected,
      forwarded: accounted.forwarded,
      quarantined: accounted.quarantined,
      failedToSend: sending.failed,
      unaccounted: sending.sent.size - accounted.forwarded - accounted.quarantined.count,
      complete:
        sending.sent.size === accounted.forwarded + accounted.quarantined.count &&
        sending.sent.size + sending.rejected.length + sending.failed.length === sending.lines,
      aggregates,
      ...(controlPlane ? { controlPlane: { url: controlPlane.url, dashboard: `${controlPlane.url}/` } } : {}),
      elapsedMillis: Date.now() - started,
    };
    return { report, ...(ownStack ? { ownStack } : {}) };
  } catch (error) {
    await ownStack?.stop();
    throw error;
  } finally {
    clients.destroy();
    controlPlane?.close();
  }
}

async function runningStack(dataDir: string): Promise<EndpointsFile | undefined> {
  try {
    const file = await readEndpointsFile(dataDir);
    if (file.pid === undefined || file.pid === process.pid) return undefined;
    process.kill(file.pid, 0);
    return file;
  } catch {
    return undefined;
  }
}

async function sendAll(options: RunPipelineOptions, file: EndpointsFile) {
  const producer = createProducer({
    streamName: file.streams.events ?? 'residency-events',
    region: file.region,
    endpoint: file.endpoints.kinesis,
    countryOf,
    partitionKeySecret: await partitionKeySecret(options.dataDir),
  });
  const sent = new Map<string, SentEvent>();
  const rejected: RejectedLine[] = [];
  const failed: Array<{ eventId: string; reason: string }> = [];
  const pending: Array<Promise<void>> = [];
  // The line that first gave each event id (UUIDs compared without case).
  const firstLineOf = new Map<string, number>();
  let lines = 0;
  for await (const input of options.input) {
    lines += 1;
    if (!input.ok) {
      rejected.push({ line: input.line, reason: input.reason });
      continue;
    }
    const line = input.line;
    // An event id names one event: the control plane keeps one record per id, so a second line
    // with the same id would vanish there (and count twice in the aggregates of another shard).
    const eventId = eventIdOf(input.value);
    if (eventId !== undefined) {
      const first = firstLineOf.get(eventId);
      if (first !== undefined) {
        rejected.push({
          line,
          reason: `eventId is the one line ${first} gave: an event id names one event (a new event needs a new id)`,
        });
        continue;
      }
      firstLineOf.set(eventId, line);
    }
    pending.push(
      producer.sendAndWait(input.value as ProducerEvent).then(
        (ack) => {
          sent.set(ack.eventId, {
            eventId: ack.eventId,
            shardId: ack.shardId,
            sequenceNumber: ack.sequenceNumber,
          });
        },
        (error: unknown) => {
          if (error instanceof EventValidationError) rejected.push({ line, reason: error.message });
          else if (error instanceof DeliveryFailedError)
            failed.push({ eventId: error.eventId, reason: error.reason });
          else rejected.push({ line, reason: error instanceof Error ? error.name : 'refused' });
        },
      ),
    );
  }
  await Promise.all(pending);
  await producer.close();
  rejected.sort((a, b) => a.line - b.line);
  return { lines, sent, rejected, failed };
}

function eventIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { eventId } = value as { eventId?: unknown };
  return typeof eventId === 'string' ? eventId.toLowerCase() : undefined;
}

async function waitForAccounting(
  clients: AwsClients,
  file: EndpointsFile,
  controlPlane: ControlPlaneView | undefined,
  sent: ReadonlyMap<string, SentEvent>,
  timeoutMillis: number,
  log: (line: string) => void,
) {
  const deadline = Date.now() + timeoutMillis;
  let lastLogged = 0;
  const eventOf = await recordIdsOf(clients, file, [...sent.keys()]);
  const recordOf = new Map([...eventOf].map(([recordId, eventId]) => [eventId, recordId]));
  // Stored stays stored: each poll asks only about the events not seen stored yet.
  const stored = new Set<string>();
  for (;;) {
    const pending = [...sent.keys()].filter((id) => !stored.has(id));
    if (controlPlane && pending.length > 0) {
      const asked = pending.map((id) => recordOf.get(id) as string);
      for (const recordId of await controlPlane.storedRecordIds(asked)) {
        const eventId = eventOf.get(recordId);
        if (eventId !== undefined) stored.add(eventId);
      }
    }
    const forwarded = [...sent.keys()].filter((id) => stored.has(id)).length;
    const tally = await tallyQuarantine(clients.dynamodb, file.tables.quarantine ?? '', sent, eventOf);
    const reasons: Record<string, number> = {};
    for (const [eventId, reason] of tally.byEventId) {
      if (stored.has(eventId)) continue;
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    const quarantined = Object.values(reasons).reduce((a, b) => a + b, 0);
    if (forwarded + quarantined >= sent.size || Date.now() > deadline) {
      return { forwarded, quarantined: { count: quarantined, reasons } };
    }
    if (Date.now() - lastLogged > 5_000) {
      lastLogged = Date.now();
      log(
        `  ${forwarded} forwarded, ${quarantined} quarantined, ${sent.size - forwarded - quarantined} in flight`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
  }
}

/**
 * The event id of each record id the pipeline gives these events. Record ids are derived in region
 * from the event ids with the vault's token key, so only the stack's own vault can say which
 * stored record is which event.
 */
async function recordIdsOf(
  clients: AwsClients,
  file: EndpointsFile,
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  const vault = createVaultFromEndpointsFile(file, clients);
  try {
    const recordIds = await vault.recordIds(eventIds);
    return new Map(recordIds.map((recordId, i) => [recordId, eventIds[i] as string]));
  } finally {
    vault.close();
  }
}

async function releaseAggregates(
  handles: PipelineHandles,
  controlPlane: ControlPlaneView | undefined,
  log: (line: string) => void,
) {
  if (!handles.flushWindows) {
    return { releasedCells: 0, suppressedCells: 0, storedCells: (await controlPlane?.aggregateCount()) ?? 0 };
  }
  await handles.flushWindows();
  const closed = handles.closerTotals ?? { releasedCells: 0, suppressedCells: 0 };
  log(`window closer: ${closed.releasedCells} cells released, ${closed.suppressedCells} suppressed (k)`);
  let stored = (await controlPlane?.aggregateCount()) ?? 0;
  const deadline = Date.now() + 60_000;
  while (controlPlane && stored < closed.releasedCells && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    stored = await controlPlane.aggregateCount();
  }
  return {
    releasedCells: closed.releasedCells,
    suppressedCells: closed.suppressedCells,
    storedCells: stored,
  };
}

// The producer's partition-key secret, kept in region (the data directory) so a patient's events
// land on the same shard across runs. Mode 0600; never printed.
async function partitionKeySecret(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'producer', 'partition-key.secret');
  try {
    return await readFile(path);
  } catch {
    await mkdir(join(dataDir, 'producer'), { recursive: true, mode: 0o700 });
    const secret = randomBytes(32);
    await writeFile(path, secret, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    await chmod(path, 0o600);
    return readFile(path);
  }
}
