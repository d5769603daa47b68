import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';

/** A document client over `dynamodb`, marshalling as the pipeline's adapters do. */
export function documentClientFor(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Every item of a table as plain values (`Uint8Array` for binaries, `Set` for sets). Takes a real
 * `DynamoDBDocumentClient` (the SDK's paginator refuses a wrapper with only `send`).
 */
export async function scanItems<T = Record<string, unknown>>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateScan(
    { client: documentClient },
    { TableName: tableName, ConsistentRead: true },
  ))
    items.push(...((page.Items ?? []) as T[]));
  return items;
}
