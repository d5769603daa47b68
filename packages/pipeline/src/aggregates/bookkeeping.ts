import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AggregateWindow, type LateWrite, windowStartIso } from '@residency/core/aggregates';
import { openKey, shardItemKey, windowItemKey } from './keys.ts';

// The aggregates store's writes to a window's bookkeeping items: registration, a shard's writer
// claim and its late counter. Each is one conditional or idempotent single-item call.

// Open index first, then the window, then the shard: whichever of these a crash leaves out,
// the next delivery finds the shard item missing and registers again (every step is idempotent).
export async function register(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
  nowMillis: number,
): Promise<void> {
  const now = new Date(nowMillis).toISOString();
  const base = { windowStart: windowStartIso(window), windowSeconds: window.seconds };
  await client.send(
    new PutCommand({ TableName: tableName, Item: { ...openKey(window), kind: 'open', ...base } }),
  );
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: windowItemKey(window),
      UpdateExpression:
        'SET #kind = :kind, windowStart = :start, windowSeconds = :seconds, #status = if_not_exists(#status, :open), openedAt = if_not_exists(openedAt, :now)',
      ExpressionAttributeNames: { '#kind': 'kind', '#status': 'status' },
      ExpressionAttributeValues: {
        ':kind': 'window',
        ':start': base.windowStart,
        ':seconds': base.windowSeconds,
        ':open': 'open',
        ':now': now,
      },
    }),
  );
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: shardItemKey(window, shardId),
      UpdateExpression:
        'SET #kind = :kind, shardId = :shard, windowStart = :start, windowSeconds = :seconds, registeredAt = if_not_exists(registeredAt, :now)',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: {
        ':kind': 'shard',
        ':shard': shardId,
        ':start': base.windowStart,
        ':seconds': base.windowSeconds,
        ':now': now,
      },
    }),
  );
}

// Takes a shard's partials of a window for this writer: conditional on the writer the batch read,
// so of two writers that read the same one, only one can claim (the other's events are retried).
export async function claimShard(
  client: DynamoDBDocumentClient,
  tableName: string,
  window: AggregateWindow,
  shardId: string,
  seen: string | undefined,
  claim: string,
): Promise<void> {
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: shardItemKey(window, shardId),
      UpdateExpression: 'SET writer = :claim',
      ConditionExpression:
        seen === undefined ? 'attribute_exists(pk) AND attribute_not_exists(writer)' : 'writer = :seen',
      ExpressionAttributeValues: { ':claim': claim, ...(seen === undefined ? {} : { ':seen': seen }) },
    }),
  );
}

export async function putLate(
  client: DynamoDBDocumentClient,
  tableName: string,
  shardId: string,
  write: LateWrite,
  nowMillis: number,
): Promise<boolean> {
  const condition =
    write.previousSequenceNumber === undefined
      ? 'attribute_not_exists(lateLastSequence)'
      : 'lateLastSequence = :previous';
  return attempt(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: shardItemKey(write.window, shardId),
        UpdateExpression:
          'SET #kind = :kind, shardId = :shard, windowStart = :start, windowSeconds = :seconds, registeredAt = if_not_exists(registeredAt, :now), lateCount = :count, lateLastSequence = :last',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: {
          ':kind': 'shard',
          ':shard': shardId,
          ':start': windowStartIso(write.window),
          ':seconds': write.window.seconds,
          ':now': new Date(nowMillis).toISOString(),
          ':count': write.state.count,
          ':last': write.state.lastSequenceNumber,
          ...(write.previousSequenceNumber === undefined
            ? {}
            : { ':previous': write.previousSequenceNumber }),
        },
      }),
    ),
  );
}

// A failed condition means another delivery moved the fence since it was read; any other error
// is transient as far as this batch can tell. Either way the events are retried, and the next
// delivery reads the fence again.
export async function attempt(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch {
    return false;
  }
}
