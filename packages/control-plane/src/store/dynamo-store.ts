import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryPages } from '@residency/aws';
import type { AggregateCell } from '@residency/core';
import { mapWithConcurrency, needs } from '@residency/core';
import {
  type Alert,
  type ControlPlaneStore,
  type CountRow,
  MAX_SERIES_CELLS,
  type StoredBatch,
} from './control-plane-store.ts';
import { createDynamoIo } from './dynamo-io.ts';
import { createRecordWriter, STORE_CONCURRENCY } from './dynamo-records.ts';
import { expiryOf } from './expiry.ts';
import { keys } from './keys.ts';
import type { ControlPlaneTables } from './tables.ts';

/** Options of {@link createDynamoControlPlaneStore}. */
export interface DynamoControlPlaneStoreOptions {
  /** A client pinned to the control region. */
  dynamodb: DynamoDBClient;
  tables: ControlPlaneTables;
  /**
   * Days a record, its index and distinct-patient rows, and a released cell are kept after their
   * event time (the record's hour, the cell's window start), and a batch's summary after it was
   * received: each is stamped with `expiresAt` (epoch seconds) for the table's TTL. Undefined:
   * nothing expires. Tombstones, counters, alerts and the series index never expire; totals count
   * what was received, so they do not drop when records expire.
   */
  retentionDays?: number;
}

const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

/** A batch item holds `stored` once complete; before, only its claim (`claim`, `leaseUntil`). */
const completedBatch = (item: Record<string, unknown> | undefined): StoredBatch | undefined => {
  if (item?.stored === undefined) return undefined;
  const {
    claim: _claim,
    leaseUntil: _leaseUntil,
    expiresAt: _expiresAt,
    ...batch
  } = strip<Record<string, unknown>>(item);
  return batch as unknown as StoredBatch;
};

/**
 * The control plane's storage on its own DynamoDB tables (layout: `ControlPlaneTablesSchema`).
 * Dedupe is a conditional put per record id and cell id, and a claim per batch id; each total
 * moves once per record (see `RecordWriter`).
 *
 * @example
 * const store = createDynamoControlPlaneStore({ dynamodb: client, tables: DEFAULT_CONTROL_PLANE_TABLES });
 */
export function createDynamoControlPlaneStore(options: DynamoControlPlaneStoreOptions): ControlPlaneStore {
  const { tables } = options;
  const io = createDynamoIo(options.dynamodb);
  const expiry = expiryOf(options.retentionDays);
  const writer = createRecordWriter(io, tables, expiry);

  const getBatch = async (batchId: string): Promise<StoredBatch | undefined> => {
    const output = await io.doc.send(
      new GetCommand({ TableName: tables.batches, Key: keys.batch(batchId), ConsistentRead: true }),
    );
    return completedBatch(output.Item);
  };

  const counts = async (by: string, scope: string): Promise<CountRow[]> => {
    const items = await io.query({
      TableName: tables.counters,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.counter(scope, by, '').pk },
    });
    return items
      .map((item) => ({ key: String(item.sk), count: Number(item.n ?? 0) }))
      .filter((row) => row.count > 0)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };

  return {
    putRecords: writer.putRecords,
    erase: writer.erase,

    getBatch,

    async claimBatch(batchId, { nowMillis, leaseMillis }) {
      const claim = randomUUID();
      // A claim whose delivery never completes expires like a summary would.
      const { expiresAt } = expiry(new Date(nowMillis).toISOString());
      try {
        await io.doc.send(
          new UpdateCommand({
            TableName: tables.batches,
            Key: keys.batch(batchId),
            UpdateExpression: `SET claim = :claim, leaseUntil = :until${expiresAt === undefined ? '' : ', expiresAt = :expires'}`,
            ConditionExpression:
              'attribute_not_exists(pk) OR (attribute_not_exists(#stored) AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#stored': 'stored' },
            ExpressionAttributeValues: {
              ':claim': claim,
              ':until': nowMillis + leaseMillis,
              ':now': nowMillis,
              ...(expiresAt === undefined ? {} : { ':expires': expiresAt }),
            },
          }),
        );
        return { state: 'claimed', claim };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const batch = await getBatch(batchId);
      return batch ? { state: 'stored', batch } : { state: 'busy' };
    },

    async completeBatch(batch, claim) {
      try {
        await io.doc.send(
          new PutCommand({
            TableName: tables.batches,
            Item: { ...keys.batch(batch.batchId), ...batch, claim, ...expiry(batch.receivedAt) },
            ConditionExpression: 'claim = :claim',
            ExpressionAttributeValues: { ':claim': claim },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        writer.forgetMarks(batch.batchId);
        return { completed: false, marksLeft: 0 };
      }
      return { completed: true, marksLeft: await writer.retireMarks(batch.batchId) };
    },

    async putAggregates(cells, meta) {
      await io.batchPut(tables.aggregates, [
        ...cells.map((cell) => keys.aggregateType(cell.type)),
        ...cells.map((cell) => keys.aggregateTenant(cell.type, cell.tenantId)),
      ]);
      const outcomes = await mapWithConcurrency(cells, STORE_CONCURRENCY, (cell) =>
        io.putIfAbsent(tables.aggregates, {
          ...keys.series(cell.tenantId, cell.type, cell.windowStart, cell.cellId),
          cell,
          batchId: meta.batchId,
          storedAt: meta.receivedAt,
          ...expiry(cell.windowStart),
        }),
      );
      const stored = outcomes.filter(Boolean).length;
      return { stored, duplicates: cells.length - stored, suppressed: 0 };
    },

    async putAlert(alert: Alert) {
      await io.doc.send(
        new PutCommand({ TableName: tables.alerts, Item: { ...keys.alert(alert.at, alert.id), ...alert } }),
      );
    },

    async listAlerts(day) {
      const items = await io.query({
        TableName: tables.alerts,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ALERT#${day}` },
      });
      return items.map((item) => strip<Alert>(item));
    },

    async counts(by, options = {}) {
      const scope = options.tenant ?? '*';
      if (by === 'tenant') {
        const all = await counts('tenant', '*');
        return options.tenant ? all.filter((row) => row.key === options.tenant) : all;
      }
      return counts(by === 'dimension' ? `dim:${options.dimension ?? ''}` : by, scope);
    },

    async distinctPatients(tenant, day) {
      // A partition over 1 MB pages; count every page.
      let count = 0;
      for await (const page of queryPages(io.doc, {
        TableName: tables.records,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `DISTINCT#${tenant}#${day}` },
        Select: 'COUNT',
        ConsistentRead: true,
      }))
        count += page.Count ?? 0;
      return count;
    },

    async aggregateSeries(query) {
      const limit = query.limit ?? MAX_SERIES_CELLS;
      needs(
        Number.isInteger(limit) && limit >= 1 && limit <= MAX_SERIES_CELLS,
        `Precondition: a series limit is an integer from 1 to ${MAX_SERIES_CELLS}`,
      );
      const tenants = query.tenant
        ? [query.tenant]
        : (
            await io.query({
              TableName: tables.aggregates,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.aggregateTenant(query.type, '').pk },
            })
          ).map((item) => String(item.sk));
      const newestFirst = await newestCells(io, tables, tenants, query.type, query, limit);
      if (newestFirst.length <= limit) return { cells: newestFirst.sort(byWindowThenCell), truncated: false };
      // Whole windows only: those newer than the first cell left out. Each tenant stopped reading at
      // a cell no newer than that one, so it read every cell of those windows.
      const cut = Date.parse((newestFirst[limit] as AggregateCell).windowStart);
      let kept = newestFirst.filter((cell) => Date.parse(cell.windowStart) > cut);
      if (kept.length === 0) {
        // The newest window alone holds more than `limit` cells: it comes whole, read again by its start.
        const start = Date.parse((newestFirst[0] as AggregateCell).windowStart);
        const window = { from: new Date(start).toISOString(), to: new Date(start + 1).toISOString() };
        kept = await newestCells(io, tables, tenants, query.type, window, Number.POSITIVE_INFINITY);
      }
      kept.sort(byWindowThenCell);
      return { cells: kept, truncated: true, nextTo: (kept[0] as AggregateCell).windowStart };
    },

    async aggregateTypes() {
      const items = await io.query({
        TableName: tables.aggregates,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'TYPES' },
      });
      return items.map((item) => String(item.sk)).sort();
    },

    async *exportAll() {
      for await (const item of io.scan({
        TableName: tables.records,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'REC#' },
      })) {
        yield { kind: 'record' as const, record: item.record as never };
      }
      for await (const item of io.scan({
        TableName: tables.aggregates,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'SERIES#' },
      })) {
        yield { kind: 'aggregate' as const, aggregate: item.cell as never };
      }
    },

    async recordIds() {
      const ids: string[] = [];
      for await (const item of io.scan({
        TableName: tables.records,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'REC#' },
        ProjectionExpression: 'pk',
      })) {
        ids.push(String(item.pk).slice(4));
      }
      return ids;
    },

    async storedRecordIds(recordIds) {
      const items = await io.batchGet(tables.records, recordIds.map(keys.record));
      return new Set(items.map((item) => String(item.pk).slice('REC#'.length)));
    },
  };
}

/**
 * Released cells of a type and these tenants with `windowStart` in [from, to), newest first: each
 * tenant's series is read backwards until it has more than `limit` cells in the range.
 */
async function newestCells(
  io: ReturnType<typeof createDynamoIo>,
  tables: ControlPlaneTables,
  tenants: readonly string[],
  type: string,
  range: { from?: string; to?: string },
  limit: number,
): Promise<AggregateCell[]> {
  // Key bounds are loose (ISO strings differ in precision); the exact bound is checked on the time.
  const from = range.from ? range.from.slice(0, 10) : '0000';
  const to = range.to ? `${range.to.slice(0, 10)}\uffff` : '9999';
  const fromMillis = range.from ? Date.parse(range.from) : Number.NEGATIVE_INFINITY;
  const toMillis = range.to ? Date.parse(range.to) : Number.POSITIVE_INFINITY;
  const perTenant = await mapWithConcurrency(tenants, STORE_CONCURRENCY, async (tenant) => {
    const cells: AggregateCell[] = [];
    for await (const page of queryPages(io.doc, {
      TableName: tables.aggregates,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.series(tenant, type, '', '').pk, ':from': from, ':to': to },
      ScanIndexForward: false,
      ...(Number.isFinite(limit) ? { Limit: limit + 1 } : {}),
    })) {
      for (const item of page.Items ?? []) {
        const cell = item.cell as AggregateCell;
        const start = Date.parse(cell.windowStart);
        if (start >= fromMillis && start < toMillis) cells.push(cell);
      }
      if (cells.length > limit) break;
    }
    return cells;
  });
  return perTenant.flat().sort((a, b) => Date.parse(b.windowStart) - Date.parse(a.windowStart));
}

/** Oldest window first; within a window by tenant, then cell id, so that answers are stable. */
function byWindowThenCell(a: AggregateCell, b: AggregateCell): number {
  return (
    Date.parse(a.windowStart) - Date.parse(b.windowStart) ||
    (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0) ||
    (a.cellId < b.cellId ? -1 : a.cellId > b.cellId ? 1 : 0)
  );
}
