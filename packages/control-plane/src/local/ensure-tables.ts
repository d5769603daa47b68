import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compositeKey, ensureTable } from '@residency/local';
import type { ControlPlaneTables } from '../store/tables.ts';

/**
 * Creates the tables that do not exist yet (local runtime; on AWS the control-plane stack owns
 * them). Idempotent. Kept out of `store/tables.ts` so the Lambda handlers do not load the local
 * runtime.
 */
export async function ensureControlPlaneTables(
  dynamodb: DynamoDBClient,
  tables: ControlPlaneTables,
): Promise<void> {
  for (const tableName of Object.values(tables)) await ensureTable(dynamodb, compositeKey(tableName));
}
