import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundRecord } from '@residency/core';
import { mapWithConcurrency } from '@residency/core';
import { LRUCache } from 'lru-cache';
import type { StoreResult } from './control-plane-store.ts';
import type { DynamoIo } from './dynamo-io.ts';
import { dayExpiry, type Expiry, latestExpiry } from './expiry.ts';
import { counterKeysOf, keys, recordDay, recordTokens } from './keys.ts';
import type { ControlPlaneTables } from './tables.ts';

/** Concurrent single-item calls per batch (conditional puts, counter updates, deletes). */
export const STORE_CONCURRENCY = 16;

/** Batches whose marks a process remembers until they complete; past this, the oldest are forgotten. */
const PENDING_BATCHES = 1_000;

/** Record storage and erasure on the records and counters tables. */
export interface RecordWriter {
  putRecords(
    records: readonly OutboundRecord[],
    meta: { batchId: string; receivedAt: string },
  ): Promise<StoreResult>;
  erase(
    tokens: readonly string[],
    meta: { batchId: string },
  ): Promise<{ deletedRecords: number; deletedRows: number }>;
  /**
   * Removes the marks this process's deliveries of the batch left on the totals; call once the
   * batch is recorded as stored. Returns how many could not be removed (they stay, harmless).
   */
  retireMarks(batchId: string): Promise<number>;
  /** Forgets the batch's marks without removing them (another delivery completes the batch). */
  forgetMarks(batchId: string): void;
}

interface CounterMark {
  key: { pk: string; sk: string };
  op: string;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Creates the {@link RecordWriter}. `expiry` stamps a record and its index and distinct-patient
 * rows for the table's TTL (default: no stamp).
 */
export function createRecordWriter(
  io: DynamoIo,
  tables: ControlPlaneTables,
  expiry: Expiry = () => ({}),
): RecordWriter {
  const erasedAmong = async (tokens: readonly string[]): Promise<Set<string>> => {
    if (tokens.length === 0) return new Set();
    const found = await io.batchGet(tables.records, tokens.map(keys.tombstone));
    return new Set(found.map((item) => String(item.pk).slice('ERASED#'.length)));
  };

  // Totals for a set of records, summed in memory first: one UpdateItem per counter, not per record.
  // Each total moves once per (total, operation): the update adds the operation's id to the
  // total's `ops` set in the same write, and is refused when the id is there already. So a batch
  // delivered again after a delivery that died part way moves only what that one did not. The id
  // is removed once the batch is recorded as stored (retireMarks); from then on the batch is a
  // duplicate and never reaches this code again.
  const pending = new LRUCache<string, CounterMark[]>({ max: PENDING_BATCHES });
  const moveCounters = async (
    records: readonly OutboundRecord[],
    sign: 1 | -1,
    batchId: string,
    op: string,
  ) => {
    const deltas = new Map<string, { scope: string; by: string; value: string; n: number }>();
    for (const record of records) {
      for (const key of counterKeysOf(record)) {
        const id = `${key.scope}\u0000${key.by}\u0000${key.value}`;
        const entry = deltas.get(id) ?? { ...key, n: 0 };
        entry.n += sign;
        deltas.set(id, entry);
      }
    }
    if (deltas.size === 0) return;
    const marks = pending.get(batchId) ?? [];
    pending.set(batchId, marks);
    await mapWithConcurrency([...deltas.values()], STORE_CONCURRENCY, async (delta) => {
      const key = keys.counter(delta.scope, delta.by, delta.value);
      // Remembered before the call: a call that fails may still have landed.
      marks.push({ key, op });
      try {
        await io.doc.send(
          new UpdateCommand({
            TableName: tables.counters,
            Key: key,
            UpdateExpression: 'ADD n :n, ops :op',
            ConditionExpression: 'NOT contains(ops, :id)',
            ExpressionAttributeValues: { ':n': delta.n, ':op': new Set([op]), ':id': op },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
  };

  const retireMarks = async (batchId: string): Promise<number> => {
    const marks = pending.get(batchId) ?? [];
    pending.delete(batchId);
    const unique = new Map(marks.map((mark) => [`${mark.key.pk}\u0000${mark.key.sk}\u0000${mark.op}`, mark]));
    const left = await mapWithConcurrency([...unique.values()], STORE_CONCURRENCY, async (mark) => {
      try {
        await io.doc.send(
          new UpdateCommand({
            TableName: tables.counters,
            Key: mark.key,
            UpdateExpression: 'DELETE ops :op',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':op': new Set([mark.op]) },
          }),
        );
        return 0;
      } catch (error) {
        // No such total: its update never landed. Any other failure leaves the mark, which only
        // costs its bytes: the batch is recorded, so no delivery of it moves totals again.
        return isConditionFailure(error) ? 0 : 1;
      }
    });
    return left.reduce<number>((sum, n) => sum + n, 0);
  };

  const eraseAs = async (tokens: readonly string[], batchId: string, op: string) => {
    const unique = [...new Set(tokens)];
    // Tombstones first: an ingest racing this erasure either sees one, or wrote rows this finds.
    await io.batchPut(tables.records, unique.map(keys.tombstone));
    const indexRows = (
      await mapWithConcurrency(unique, STORE_CONCURRENCY, (token) =>
        io.query({
          TableName: tables.records,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `TOKEN#${token}` },
          ConsistentRead: true,
        }),
      )
    ).flat();
    const recordIds = new Set<string>();
    const rowsToDelete: Array<{ pk: string; sk: string }> = [];
    for (const row of indexRows) {
      const pk = String(row.pk);
      const sk = String(row.sk);
      rowsToDelete.push({ pk, sk });
      if (sk.startsWith('REC#')) recordIds.add(sk.slice(4));
      else if (sk.startsWith('DISTINCT#')) rowsToDelete.push({ pk: sk, sk: pk.slice('TOKEN#'.length) });
    }
    // Each record is claimed by one erasure (`erasedBy`) before its totals move, and deleted only
    // after they moved: its totals move once, when erasures of one token race and when a delivery
    // dies between the steps (its redelivery finds its own claims and its marks).
    const claimed = await mapWithConcurrency([...recordIds], STORE_CONCURRENCY, async (recordId) => {
      try {
        const output = await io.doc.send(
          new UpdateCommand({
            TableName: tables.records,
            Key: keys.record(recordId),
            UpdateExpression: 'SET erasedBy = :op',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(erasedBy) OR erasedBy = :op)',
            ExpressionAttributeValues: { ':op': op },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return output.Attributes?.record as OutboundRecord | undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    });
    const old = claimed.filter((record): record is OutboundRecord => record !== undefined);
    for (const record of old) {
      for (const token of recordTokens(record))
        rowsToDelete.push(keys.tokenIndex(token, `REC#${record.recordId}`));
    }
    await moveCounters(old, -1, batchId, op);
    await io.batchDelete(tables.records, [
      ...old.map((record) => keys.record(record.recordId)),
      ...rowsToDelete,
    ]);
    return { deletedRecords: old.length, deletedRows: old.length + rowsToDelete.length };
  };

  return {
    erase: (tokens, meta) => eraseAs(tokens, meta.batchId, meta.batchId),
    retireMarks,
    forgetMarks: (batchId) => void pending.delete(batchId),
    async putRecords(records, meta) {
      const erased = await erasedAmong([...new Set(records.flatMap(recordTokens))]);
      const live = records.filter((record) => !recordTokens(record).some((token) => erased.has(token)));
      // Index rows before the record itself: an erasure must always be able to find what it deletes.
      const rows: Array<Record<string, unknown>> = [];
      // A record and its token rows expire together (an erasure finds the record through them),
      // from the later of its hour and its receipt (see latestExpiry).
      const expiresOf = (record: OutboundRecord) =>
        latestExpiry(expiry, record.occurredHour, meta.receivedAt);
      for (const record of live) {
        const expires = expiresOf(record);
        for (const token of recordTokens(record))
          rows.push({ ...keys.tokenIndex(token, `REC#${record.recordId}`), ...expires });
        if (record.subject) {
          const day = recordDay(record);
          const dayExpires = dayExpiry(expiry, day);
          rows.push({
            ...keys.distinct(record.tenantId, day, record.subject),
            at: meta.receivedAt,
            ...dayExpires,
          });
          rows.push({
            ...keys.tokenIndex(record.subject, `DISTINCT#${record.tenantId}#${day}`),
            ...dayExpires,
          });
        }
      }
      await io.batchPut(tables.records, rows);
      const outcomes = await mapWithConcurrency(live, STORE_CONCURRENCY, (record) =>
        io.putIfAbsent(tables.records, {
          ...keys.record(record.recordId),
          record,
          tenantId: record.tenantId,
          type: record.type,
          day: recordDay(record),
          batchId: meta.batchId,
          storedAt: meta.receivedAt,
          ...expiresOf(record),
        }),
      );
      // A record already there is still this batch's own when an earlier delivery of the batch
      // stored it and died before the batch was recorded: it counts as stored, and the totals it
      // has not moved yet move now.
      const found = live.filter((_, index) => !outcomes[index]);
      const held = new Map(
        found.length === 0
          ? []
          : (
              await io.batchGet(
                tables.records,
                found.map((record) => keys.record(record.recordId)),
              )
            ).map((item) => [String(item.pk), item]),
      );
      const heldOf = (record: OutboundRecord) => held.get(keys.record(record.recordId).pk);
      const stored = live.filter(
        (record, index) => outcomes[index] || heldOf(record)?.batchId === meta.batchId,
      );
      // A record id names one event: the same id with other content is a second event the app
      // gave the first one's id. Only the first is kept; the caller raises an alert.
      const conflicts = found.filter((record) => {
        const item = heldOf(record);
        return item !== undefined && item.batchId !== meta.batchId && !isDeepStrictEqual(item.record, record);
      }).length;
      await moveCounters(stored, 1, meta.batchId, meta.batchId);
      // Postcondition: nothing stored belongs to a token erased meanwhile.
      const lateErased = await erasedAmong([...new Set(stored.flatMap(recordTokens))]);
      if (lateErased.size > 0) await eraseAs([...lateErased], meta.batchId, `${meta.batchId}#late`);
      return {
        stored: stored.length,
        duplicates: live.length - stored.length,
        suppressed: records.length - live.length,
        ...(conflicts > 0 ? { conflicts } : {}),
      };
    },
  };
}
