import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '@residency/aws';
import type { AggregateWindow } from '@residency/core/aggregates';
import { partialPk } from './keys.ts';

/**
 * Every item of a (window, shard)'s partition whose sort key starts with `prefix` (pages of
 * partials, sealed subjects), in sort key order. Strongly consistent.
 */
export function readShardItems<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
  prefix: string,
): Promise<T[]> {
  return queryAll<T>(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': partialPk(window, shardId), ':prefix': prefix },
    ConsistentRead: true,
  });
}
