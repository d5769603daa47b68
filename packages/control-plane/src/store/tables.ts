import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';

/**
 * The control plane's own DynamoDB tables (in the control region), each with string keys `pk`, `sk`:
 * - `records`: `REC#<recordId>`/`REC` (the record), `TOKEN#<token>`/`REC#<recordId>` and
 *   `TOKEN#<token>`/`DISTINCT#<tenant>#<day>` (what to delete on erasure),
 *   `DISTINCT#<tenant>#<day>`/`<subject token>` (distinct patients), `ERASED#<token>`/`ERASED` (tombstones).
 * - `aggregates`: `SERIES#<tenant>#<type>`/`<windowStart>#<cellId>` (released cells),
 *   `TYPES`/`<type>` and `TENANTS#<type>`/`<tenant>` (what series exist).
 * - `counters`: `COUNT#<scope>#<by>`/`<value>` with `n` (running totals; scope `*` or a tenant).
 * - `batches`: `BATCH#<batchId>`/`BATCH` (dedupe and reconciliation with the egress log).
 * - `alerts`: `ALERT#<yyyy-mm-dd>`/`<time>#<id>` (refused batches, canaries; never values).
 */
export const ControlPlaneTablesSchema = z.object({
  records: z.string().min(3),
  aggregates: z.string().min(3),
  counters: z.string().min(3),
  batches: z.string().min(3),
  alerts: z.string().min(3),
});

/** See {@link ControlPlaneTablesSchema}. */
export type ControlPlaneTables = z.infer<typeof ControlPlaneTablesSchema>;

/** Table names used when none are given: `residency-cp-<role>`. */
export const DEFAULT_CONTROL_PLANE_TABLES: ControlPlaneTables = {
  records: 'residency-cp-records',
  aggregates: 'residency-cp-aggregates',
  counters: 'residency-cp-counters',
  batches: 'residency-cp-batches',
  alerts: 'residency-cp-alerts',
};

async function waitActive(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const description = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (description.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Creates the tables that do not exist yet (local runtime; on AWS the control-plane stack owns
 * them). Idempotent.
 */
export async function ensureControlPlaneTables(
  dynamodb: DynamoDBClient,
  tables: ControlPlaneTables,
): Promise<void> {
  for (const tableName of Object.values(tables)) {
    try {
      await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await dynamodb.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
          }),
        );
      } catch (createError) {
        if (!(createError instanceof ResourceInUseException)) throw createError;
      }
    }
    await waitActive(dynamodb, tableName);
  }
}
