import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '@residency/aws';
import type { AggregateWindow } from '@residency/core/aggregates';
import type { PartialPageItem } from './items.ts';
import { PAGE_SK_PREFIX, partialPk } from './keys.ts';

/** Every page of partials of a (window, shard), oldest first. Strongly consistent. */
export function readPageItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
): Promise<PartialPageItem[]> {
  return queryAll<PartialPageItem>(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': partialPk(window, shardId), ':prefix': PAGE_SK_PREFIX },
    ConsistentRead: true,
  });
}
