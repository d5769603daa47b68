import { type CallCounter, callNameOf } from '@residency/aws';

/** What AWS bills per request, as counted on the wire of this run. */
export interface BillableUnits {
  /** DynamoDB read request units (on-demand), from `ConsumedCapacity` of each response. */
  dynamodbReadUnits: number;
  /** DynamoDB write request units (on-demand), from `ConsumedCapacity`; a failed conditional write counts 1. */
  dynamodbWriteUnits: number;
  /** Kinesis records put (PutRecord, PutRecords). */
  kinesisRecords: number;
  /** Bytes of those records, data and partition key: with the record count, what sizes a stream's shards. */
  kinesisBytes: number;
  /** Kinesis PUT payload units: each record's data and partition key in 25 KB chunks, at least one. */
  kinesisPutPayloadUnits: number;
  /** KMS requests (every operation is billed per request). */
  kmsRequests: number;
  /** DynamoDB calls whose response carried no `ConsumedCapacity`, so units were estimated per item. */
  dynamodbEstimatedCalls: number;
  /** DynamoDB calls and request units by table name. */
  dynamodbByTable: Record<string, { calls: number; readUnits: number; writeUnits: number }>;
}

/** No units. */
export function noUnits(): BillableUnits {
  return {
    dynamodbReadUnits: 0,
    dynamodbWriteUnits: 0,
    kinesisRecords: 0,
    kinesisBytes: 0,
    kinesisPutPayloadUnits: 0,
    kmsRequests: 0,
    dynamodbEstimatedCalls: 0,
    dynamodbByTable: {},
  };
}

/**
 * Counts billable units of the calls made through SDK v3 clients, by middleware: DynamoDB calls
 * are sent with `ReturnConsumedCapacity: 'TOTAL'` (unless the caller set it) and the units read
 * from the response, so the figures are what DynamoDB (or dynalite's model of it) charged.
 */
export interface BillingCounter {
  /** Adds the middleware to a client (idempotent per client). */
  attach<C extends AnyClient>(client: C): C;
  /** A copy of the units so far. */
  snapshot(): BillableUnits;
  reset(): void;
}

/** Any SDK v3 client (the same constraint as the call counter's). */
type AnyClient = Parameters<CallCounter['attach']>[0];

/** Kinesis bills PUT payload in 25 KB units. https://aws.amazon.com/kinesis/data-streams/pricing/ */
export const KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Creates a {@link BillingCounter}. @example const billing = createBillingCounter(); billing.attach(dynamodb); */
export function createBillingCounter(): BillingCounter {
  let units = noUnits();
  const attached = new WeakSet<object>();
  return {
    attach(client) {
      if (attached.has(client)) return client;
      attached.add(client);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const { service, operation } = callNameOf(context);
          const input = args.input as Record<string, unknown>;
          if (service === 'KMS') units.kmsRequests += 1;
          if (service === 'Kinesis') countKinesis(operation, input, units);
          if (service !== 'DynamoDB' || !(DYNAMODB_READS.has(operation) || DYNAMODB_WRITES.has(operation))) {
            return next(args);
          }
          const isRead = DYNAMODB_READS.has(operation);
          tableEntry(units, tableOf(input)).calls += 1;
          const withCapacity =
            input.ReturnConsumedCapacity === undefined
              ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } }
              : args;
          try {
            const result = await next(withCapacity);
            const consumed = consumedUnits((result.output as Record<string, unknown>).ConsumedCapacity);
            if (consumed === undefined) {
              units.dynamodbEstimatedCalls += 1;
              add(units, isRead, tableOf(input), estimateUnits(operation, input));
            } else {
              for (const [table, value] of consumed) add(units, isRead, table, value);
            }
            return result;
          } catch (error) {
            // A failed condition is still a billed write.
            // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate
            const name = (error as { name?: string }).name;
            if (!isRead && name === 'ConditionalCheckFailedException') add(units, false, tableOf(input), 1);
            throw error;
          }
        },
        { step: 'initialize', name: 'residencyBillingCounter', override: true },
      );
      return client;
    },
    snapshot: () => ({ ...units, dynamodbByTable: structuredClone(units.dynamodbByTable) }),
    reset() {
      units = noUnits();
    },
  };
}

function countKinesis(operation: string, input: Record<string, unknown>, units: BillableUnits): void {
  const records =
    operation === 'PutRecord'
      ? [input as { Data?: Uint8Array; PartitionKey?: string }]
      : operation === 'PutRecords'
        ? ((input.Records as Array<{ Data?: Uint8Array; PartitionKey?: string }>) ?? [])
        : [];
  for (const record of records) {
    const bytes = (record.Data?.byteLength ?? 0) + Buffer.byteLength(record.PartitionKey ?? '');
    units.kinesisRecords += 1;
    units.kinesisBytes += bytes;
    units.kinesisPutPayloadUnits += Math.max(1, Math.ceil(bytes / KINESIS_PUT_PAYLOAD_UNIT_BYTES));
  }
}

function tableEntry(units: BillableUnits, table: string): BillableUnits['dynamodbByTable'][string] {
  units.dynamodbByTable[table] ??= { calls: 0, readUnits: 0, writeUnits: 0 };
  return units.dynamodbByTable[table];
}

function add(units: BillableUnits, isRead: boolean, table: string, value: number): void {
  const byTable = tableEntry(units, table);
  if (isRead) {
    units.dynamodbReadUnits += value;
    byTable.readUnits += value;
  } else {
    units.dynamodbWriteUnits += value;
    byTable.writeUnits += value;
  }
}

function tableOf(input: Record<string, unknown>): string {
  if (typeof input.TableName === 'string') return input.TableName;
  const names = Object.keys((input.RequestItems as Record<string, unknown>) ?? {});
  return names.length === 1 ? (names[0] as string) : names.length > 1 ? '(several)' : '(unknown)';
}

/** Units by table from a response's ConsumedCapacity (one entry, or one per table for batch calls). */
function consumedUnits(consumed: unknown): Array<[string, number]> | undefined {
  if (consumed === undefined || consumed === null) return undefined;
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as Array<{
    TableName?: string;
    CapacityUnits?: number;
  }>;
  return list.map((entry) => [entry.TableName ?? '(unknown)', Number(entry.CapacityUnits ?? 0)]);
}

// Only when the response has no ConsumedCapacity: one unit per item (small items; reads counted strongly consistent).
function estimateUnits(operation: string, input: Record<string, unknown>): number {
  if (operation === 'BatchGetItem') {
    const requests = Object.values((input.RequestItems as Record<string, { Keys?: unknown[] }>) ?? {});
    return requests.reduce((sum, r) => sum + (r.Keys?.length ?? 0), 0);
  }
  if (operation === 'BatchWriteItem') {
    const requests = Object.values((input.RequestItems as Record<string, unknown[]>) ?? {});
    return requests.reduce((sum, r) => sum + r.length, 0);
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return 2 * ((input.TransactItems as unknown[])?.length ?? 0);
  }
  return 1;
}
