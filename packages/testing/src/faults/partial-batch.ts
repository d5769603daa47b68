import type { SeededRandom } from './random.ts';

/** A batch request with some entries held back, and how to answer for them. */
export interface PartialRewrite {
  /** The request body with only the kept entries, or undefined when every entry is held back. */
  forwardBody: Buffer | undefined;
  /** Entries held back (reported as failed or unprocessed). */
  heldBack: number;
  /** The answer to send: the service's answer for the kept entries plus the held-back ones. */
  complete(upstream: Record<string, unknown> | undefined): Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * Holds back a random part of a batch request's entries, as Kinesis and DynamoDB do under load:
 * PutRecords answers them with `ErrorCode: ProvisionedThroughputExceededException`, BatchWriteItem
 * returns them in `UnprocessedItems`, BatchGetItem in `UnprocessedKeys`. Held-back entries are not
 * applied. Returns undefined for any other operation or a body it cannot read.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
export function rewritePartial(
  operation: string,
  body: Buffer,
  random: SeededRandom,
  failFraction = 0.3,
): PartialRewrite | undefined {
  let request: Json;
  try {
    request = JSON.parse(body.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
  if (operation === 'PutRecords') return putRecords(request, random, failFraction);
  if (operation === 'BatchWriteItem') return batchWrite(request, random, failFraction);
  if (operation === 'BatchGetItem') return batchGet(request, random, failFraction);
  return undefined;
}

/** Indices to hold back: each with probability `fraction`, at least one. */
function pick(count: number, random: SeededRandom, fraction: number): Set<number> {
  const held = new Set<number>();
  for (let i = 0; i < count; i++) if (random() < fraction) held.add(i);
  if (held.size === 0 && count > 0) held.add(Math.floor(random() * count));
  return held;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

function putRecords(request: Json, random: SeededRandom, fraction: number): PartialRewrite | undefined {
  const records = request.Records;
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const held = pick(records.length, random, fraction);
  const kept = records.filter((_, i) => !held.has(i));
  return {
    heldBack: held.size,
    forwardBody: kept.length > 0 ? encode({ ...request, Records: kept }) : undefined,
    complete(upstream) {
      const answered = (upstream?.Records as unknown[] | undefined) ?? [];
      let next = 0;
      const results = records.map((_, i) =>
        held.has(i)
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
          : answered[next++],
      );
      const failed = results.filter((r) => (r as Json | undefined)?.ErrorCode !== undefined).length;
      return { ...upstream, FailedRecordCount: failed, Records: results };
    },
  };
}

function batchWrite(request: Json, random: SeededRandom, fraction: number): PartialRewrite | undefined {
  const items = request.RequestItems as Record<string, unknown[]> | undefined;
  if (!items || typeof items !== 'object') return undefined;
  const flat = Object.entries(items).flatMap(([table, list]) =>
    Array.isArray(list) ? list.map((entry) => ({ table, entry })) : [],
  );
  if (flat.length === 0) return undefined;
  const held = pick(flat.length, random, fraction);
  const kept = group(flat.filter((_, i) => !held.has(i)));
  const back = group(flat.filter((_, i) => held.has(i)));
  return {
    heldBack: held.size,
    forwardBody: Object.keys(kept).length > 0 ? encode({ ...request, RequestItems: kept }) : undefined,
    complete(upstream) {
      const unprocessed = { ...((upstream?.UnprocessedItems as Record<string, unknown[]>) ?? {}) };
      for (const [table, list] of Object.entries(back))
        unprocessed[table] = [...(unprocessed[table] ?? []), ...list];
      return { ...upstream, UnprocessedItems: unprocessed };
    },
  };
}

function batchGet(request: Json, random: SeededRandom, fraction: number): PartialRewrite | undefined {
  const items = request.RequestItems as Record<string, Json> | undefined;
  if (!items || typeof items !== 'object') return undefined;
  const flat = Object.entries(items).flatMap(([table, spec]) =>
    Array.isArray(spec?.Keys) ? (spec.Keys as unknown[]).map((key) => ({ table, entry: key })) : [],
  );
  if (flat.length === 0) return undefined;
  const held = pick(flat.length, random, fraction);
  const withKeys = (groups: Record<string, unknown[]>) =>
    Object.fromEntries(
      Object.entries(groups).map(([table, keys]) => [table, { ...items[table], Keys: keys }]),
    );
  const kept = withKeys(group(flat.filter((_, i) => !held.has(i))));
  const back = withKeys(group(flat.filter((_, i) => held.has(i))));
  return {
    heldBack: held.size,
    forwardBody: Object.keys(kept).length > 0 ? encode({ ...request, RequestItems: kept }) : undefined,
    complete(upstream) {
      const unprocessed = { ...((upstream?.UnprocessedKeys as Record<string, Json>) ?? {}) };
      for (const [table, spec] of Object.entries(back)) {
        const before = (unprocessed[table]?.Keys as unknown[] | undefined) ?? [];
        unprocessed[table] = { ...spec, Keys: [...before, ...(spec.Keys as unknown[])] };
      }
      return { Responses: {}, ...upstream, UnprocessedKeys: unprocessed };
    },
  };
}

function group(entries: ReadonlyArray<{ table: string; entry: unknown }>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const { table, entry } of entries) {
    const list = out[table] ?? [];
    list.push(entry);
    out[table] = list;
  }
  return out;
}
