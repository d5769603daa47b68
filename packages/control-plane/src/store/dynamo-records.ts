import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundRecord } from '@residency/core';
import { mapWithConcurrency } from '@residency/core';
import type { StoreResult } from './control-plane-store.ts';
import type { DynamoIo } from './dynamo-io.ts';
import { counterKeysOf, keys, recordDay, recordTokens } from './keys.ts';
import type { ControlPlaneTables } from './tables.ts';

/** Concurrent single-item calls per batch (conditional puts, counter updates, deletes). */
export const STORE_CONCURRENCY = 16;

/** Record storage and erasure on the records and counters tables. */
export interface RecordWriter {
  putRecords(
    records: readonly OutboundRecord[],
    meta: { batchId: string; receivedAt: string },
  ): Promise<StoreResult>;
  erase(tokens: readonly string[]): Promise<{ deletedRecords: number; deletedRows: number }>;
}

/** Creates the {@link RecordWriter}. */
export function createRecordWriter(io: DynamoIo, tables: ControlPlaneTables): RecordWriter {
  const erasedAmong = async (tokens: readonly string[]): Promise<Set<string>> => {
    if (tokens.length === 0) return new Set();
    const found = await io.batchGet(tables.records, tokens.map(keys.tombstone));
    return new Set(found.map((item) => String(item.pk).slice('ERASED#'.length)));
  };

  // Totals for a set of records, summed in memory first: one UpdateItem per counter, not per record.
  const moveCounters = async (records: readonly OutboundRecord[], sign: 1 | -1) => {
    const deltas = new Map<string, { scope: string; by: string; value: string; n: number }>();
    for (const record of records) {
      for (const key of counterKeysOf(record)) {
        const id = `${key.scope}\u0000${key.by}\u0000${key.value}`;
        const entry = deltas.get(id) ?? { ...key, n: 0 };
        entry.n += sign;
        deltas.set(id, entry);
      }
    }
    await mapWithConcurrency([...deltas.values()], STORE_CONCURRENCY, (delta) =>
      io.doc.send(
        new UpdateCommand({
          TableName: tables.counters,
          Key: keys.counter(delta.scope, delta.by, delta.value),
          UpdateExpression: 'ADD n :n',
          ExpressionAttributeValues: { ':n': delta.n },
        }),
      ),
    );
  };

  const erase = async (tokens: readonly string[]) => {
    const unique = [...new Set(tokens)];
    // Tombstones first: an ingest racing this erasure either sees one, or wrote rows this finds.
    await io.batchPut(tables.records, unique.map(keys.tombstone));
    let deletedRecords = 0;
    let deletedRows = 0;
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
    const deleted = await mapWithConcurrency([...recordIds], STORE_CONCURRENCY, async (recordId) => {
      const output = await io.doc.send(
        new DeleteCommand({ TableName: tables.records, Key: keys.record(recordId), ReturnValues: 'ALL_OLD' }),
      );
      return output.Attributes?.record as OutboundRecord | undefined;
    });
    const old = deleted.filter((record): record is OutboundRecord => record !== undefined);
    deletedRecords = old.length;
    for (const record of old) {
      for (const token of recordTokens(record))
        rowsToDelete.push(keys.tokenIndex(token, `REC#${record.recordId}`));
    }
    await moveCounters(old, -1);
    await io.batchDelete(tables.records, rowsToDelete);
    deletedRows = deletedRecords + rowsToDelete.length;
    return { deletedRecords, deletedRows };
  };

  return {
    erase,
    async putRecords(records, meta) {
      const erased = await erasedAmong([...new Set(records.flatMap(recordTokens))]);
      const live = records.filter((record) => !recordTokens(record).some((token) => erased.has(token)));
      // Index rows before the record itself: an erasure must always be able to find what it deletes.
      const rows: Array<Record<string, unknown>> = [];
      for (const record of live) {
        for (const token of recordTokens(record)) rows.push(keys.tokenIndex(token, `REC#${record.recordId}`));
        if (record.subject) {
          const day = recordDay(record);
          rows.push({ ...keys.distinct(record.tenantId, day, record.subject), at: meta.receivedAt });
          rows.push(keys.tokenIndex(record.subject, `DISTINCT#${record.tenantId}#${day}`));
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
        }),
      );
      const stored = live.filter((_, index) => outcomes[index]);
      await moveCounters(stored, 1);
      // Postcondition: nothing stored belongs to a token erased meanwhile.
      const lateErased = await erasedAmong([...new Set(stored.flatMap(recordTokens))]);
      if (lateErased.size > 0) await erase([...lateErased]);
      return {
        stored: stored.length,
        duplicates: live.length - stored.length,
        suppressed: records.length - live.length,
      };
    },
  };
}
