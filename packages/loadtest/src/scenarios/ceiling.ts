import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  clinicbook,
  formatToken,
  keyedMac,
  recordIdUnder,
  type Token,
  tokenKey,
  toOutbound,
  type ValidatedEvent,
  type ValidateOptions,
  validateEvent,
} from '@residency/core';
import { LRUCache } from 'lru-cache';
import { LoadtestError } from '../errors.ts';
import { startResourceMeter } from '../measure/resources.ts';
import type { Progress } from '../progress.ts';
import { createNullDynamoDbClient, createNullKinesisClient } from './null-clients.ts';
import type { CeilingResult, PrimitiveCost } from './results.ts';

/** Options of {@link runCeiling}. */
export interface CeilingOptions {
  /** The generated events (the same the hot path processes). */
  events: readonly object[];
  /** Tenant → country, as the ingest handler validates. Default: core's default (`BD`). */
  countryOf?: ValidateOptions['countryOf'];
  /** Each primitive loops over the events until at least this long has passed. Default: 400 ms. */
  minMillisPerPrimitive?: number;
  /** Records per PutRecords call in the outbox SDK primitive. Default: 500 (the API maximum). */
  outboxRecordsPerCall?: number;
  progress?: Progress;
}

/**
 * Measures, on the same events, what each primitive of the hot path costs on one core (CPU time),
 * in a tight loop: base64 decode + JSON.parse, `validateEvent` (zod + identifier normalization),
 * HMAC-SHA256 per identifier, an lru-cache lookup per identifier (configured as the vault's),
 * the record id (an HMAC-SHA256 of the event id, formatted as a UUID), `toOutbound` +
 * JSON.stringify, and (reported, outside the sums) the SDK's PutRecords serialization per record
 * with no network. The warm ceiling sums what a warm hot path must do (no HMAC per identifier:
 * the vault caches by identifier; one per event for its record id, which nothing can cache); the
 * cold ceiling adds an HMAC per identifier.
 *
 * @example const ceiling = await runCeiling({ events: [...generateClinicBook({ events: 10_000 })] });
 */
export async function runCeiling(options: CeilingOptions): Promise<CeilingResult> {
  const n = options.events.length;
  if (n === 0) throw new LoadtestError('the ceiling needs at least one event', '--events');
  const minMillis = options.minMillisPerPrimitive ?? 400;
  const validateOptions: ValidateOptions = options.countryOf ? { countryOf: options.countryOf } : {};
  const meter = startResourceMeter();
  const notes: string[] = [];

  const encoded = options.events.map((event) => Buffer.from(JSON.stringify(event)).toString('base64'));
  const parsed: unknown[] = new Array(n);
  const validated: ValidatedEvent[] = [];
  for (let i = 0; i < n; i++) {
    parsed[i] = JSON.parse(Buffer.from(encoded[i] as string, 'base64').toString('utf8'));
    const result = validateEvent(clinicbook, parsed[i], validateOptions);
    if (result.ok) validated.push(result.event);
  }
  if (validated.length < n) notes.push(`${n - validated.length} generated events failed validation`);
  const identifierCount = validated.reduce((sum, e) => sum + e.identifiers.length, 0);
  const identifiersPerEvent = identifierCount / Math.max(1, validated.length);

  const tokens = new Map<string, Token>();
  for (const event of validated) {
    for (const id of event.identifiers) {
      const key = tokenKey(id.kind, id.value);
      if (!tokens.has(key)) tokens.set(key, formatToken(id.kind, randomBytes(16)));
    }
  }
  // Sized and timed like the vault's cache (max entries, TTL checked against the clock on every get).
  const cache = new LRUCache<string, Token>({ max: 100_000, ttl: 300_000, perf: { now: () => Date.now() } });
  for (const [key, token] of tokens) cache.set(key, token);
  const indexKey = randomBytes(32);
  const sink: unknown[] = [];
  const step = (name: string) => options.progress?.step(`ceiling: ${name}`);

  step('decode + parse');
  const decodeParse = timeLoop(n, minMillis, meter.sample, (i) => {
    sink[0] = JSON.parse(Buffer.from(encoded[i] as string, 'base64').toString('utf8'));
  });
  step('validate');
  const validate = timeLoop(n, minMillis, meter.sample, (i) => {
    sink[0] = validateEvent(clinicbook, parsed[i], validateOptions);
  });
  const v = validated.length;
  step('hmac');
  const hmac = timeLoop(v, minMillis, meter.sample, (i) => {
    for (const id of (validated[i] as ValidatedEvent).identifiers) {
      sink[0] = keyedMac(indexKey, id.kind, id.value).toString('hex');
    }
  });
  step('cache lookup');
  const cacheLookup = timeLoop(v, minMillis, meter.sample, (i) => {
    for (const id of (validated[i] as ValidatedEvent).identifiers)
      sink[0] = cache.get(tokenKey(id.kind, id.value));
  });
  step('record id');
  const eventIds = validated.map((event) => event.data.eventId as string);
  const recordIdOf = (i: number) => recordIdUnder(indexKey, eventIds[i] as string);
  const recordId = timeLoop(v, minMillis, meter.sample, (i) => {
    sink[0] = recordIdOf(i);
  });
  const recordIds = validated.map((_, i) => recordIdOf(i));
  step('serialize');
  const serialize = timeLoop(v, minMillis, meter.sample, (i) => {
    sink[0] = JSON.stringify(toOutbound(validated[i] as ValidatedEvent, tokens, recordIds[i] as string));
  });
  step('outbox SDK');
  const outbound = validated.map((event, i) =>
    JSON.stringify({ kind: 'record', record: toOutbound(event, tokens, recordIds[i] as string) }),
  );
  const meanOutboundBytes =
    outbound.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / Math.max(1, outbound.length);
  const outboxSdk = await timeOutboxSdk(outbound, options.outboxRecordsPerCall ?? 500, minMillis);
  step('DynamoDB SDK call');
  const dynamodbCall = await timeDynamoDbCall(minMillis);
  const usage = meter.stop();

  const primitives: Record<string, PrimitiveCost> = {
    decodeParse: cost(decodeParse, 1, true, true),
    validate: cost(validate, 1, true, true),
    hmac: cost(hmac, identifiersPerEvent, false, true),
    cacheLookup: cost(cacheLookup, identifiersPerEvent, true, true),
    recordId: cost(recordId, 1, true, true),
    serialize: cost(serialize, 1, true, true),
    outboxSdk: cost(outboxSdk, 1, false, false),
    // Per call, not per event: what one DynamoDB call costs the SDK on the client (no network).
    dynamodbCallSdk: { ...cost(dynamodbCall, 1, false, false), callsPerEvent: 0, microsPerEvent: 0 },
  };
  const sum = (pick: (p: PrimitiveCost) => boolean) =>
    Object.values(primitives).reduce((total, p) => total + (pick(p) ? p.microsPerEvent : 0), 0);
  const warmMicrosPerEvent = round(sum((p) => p.inWarmCeiling));
  const coldMicrosPerEvent = round(sum((p) => p.inColdCeiling));
  return {
    events: n,
    identifiersPerEvent: round(identifiersPerEvent),
    primitives,
    warmMicrosPerEvent,
    eventsPerSecond: Math.round(1_000_000 / warmMicrosPerEvent),
    coldMicrosPerEvent,
    coldEventsPerSecond: Math.round(1_000_000 / coldMicrosPerEvent),
    meanOutboundBytes: Math.round(meanOutboundBytes),
    peakRssBytes: usage.peakRssBytes,
    notes,
  };
}

/**
 * Mean CPU microseconds per item of `body` over `count` items, repeated until `minMillis` of CPU
 * passed. CPU time, not wall time: on a shared machine the process is descheduled now and then,
 * and a primitive's cost is what it takes of a core, not how long it waited for one.
 */
function timeLoop(count: number, minMillis: number, sample: () => void, body: (i: number) => void): number {
  if (count === 0) return 0;
  // One untimed round lets V8 optimize the body before it is measured.
  for (let i = 0; i < Math.min(count, 2000); i++) body(i);
  let items = 0;
  const start = process.cpuUsage();
  let cpuMicros = 0;
  do {
    for (let i = 0; i < count; i++) body(i);
    items += count;
    sample();
    cpuMicros = cpuSince(start);
  } while (cpuMicros < minMillis * 1000);
  return cpuMicros / items;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function timeOutboxSdk(records: string[], perCall: number, minMillis: number): Promise<number> {
  if (records.length === 0) return 0;
  const kinesis = createNullKinesisClient({ region: 'ap-south-1' });
  const entries = records.map((data, i) => ({ Data: Buffer.from(data), PartitionKey: String(i % 64) }));
  const chunks: (typeof entries)[] = [];
  for (let i = 0; i < entries.length; i += perCall) chunks.push(entries.slice(i, i + perCall));
  const send = (chunk: typeof entries) =>
    kinesis.send(new PutRecordsCommand({ StreamName: 'residency-outbox', Records: chunk }));
  await send(chunks[0] as typeof entries);
  let items = 0;
  const start = process.cpuUsage();
  do {
    for (const chunk of chunks) {
      await send(chunk);
      items += chunk.length;
    }
  } while (cpuSince(start) < minMillis * 1000);
  const micros = cpuSince(start) / items;
  kinesis.destroy();
  return micros;
}

async function timeDynamoDbCall(minMillis: number): Promise<number> {
  const dynamodb = createNullDynamoDbClient('ap-south-1');
  const item = {
    pk: { S: 'IDX#v1#patient#0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
    sk: { S: 'ENTRY' },
    token: { S: 'pat_0123456789ABCDEFGHJKMNPQRS' },
    envelope: { B: new Uint8Array(96) },
  };
  const send = () =>
    dynamodb.send(
      new PutItemCommand({
        TableName: 'residency-vault',
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  for (let i = 0; i < 50; i++) await send();
  let calls = 0;
  const start = process.cpuUsage();
  do {
    for (let i = 0; i < 20; i++) await send();
    calls += 20;
  } while (cpuSince(start) < minMillis * 1000);
  const micros = cpuSince(start) / calls;
  dynamodb.destroy();
  return micros;
}

function cost(microsPerItem: number, callsPerEvent: number, warm: boolean, cold: boolean): PrimitiveCost {
  return {
    microsPerEvent: round(microsPerItem),
    microsPerCall: round(microsPerItem / callsPerEvent),
    callsPerEvent: round(callsPerEvent),
    inWarmCeiling: warm,
    inColdCeiling: cold,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
