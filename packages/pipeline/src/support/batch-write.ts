import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency } from '@residency/core';

/** BatchWriteItem takes at most 25 items. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
export const BATCH_WRITE_MAX_ITEMS = 25;

/**
 * Puts entries' items in calls of 25, once: resolves with the entries that were not written (left
 * unprocessed by DynamoDB, or in a call that failed). Plain puts, so only for items that one writer
 * owns or that are idempotent. `concurrency` calls are in flight at once (default: 1).
 *
 * DynamoDB refuses a whole BatchWriteItem when one of its items is invalid (over 400 KB, say); the
 * items of such a call are then put one by one, so only the invalid one is left unwritten.
 */
export async function putBatchOnce<E extends { item: { pk: string; sk: string } }>(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly E[],
  { concurrency = 1 }: { concurrency?: number } = {},
): Promise<E[]> {
  const failed: E[] = [];
  await mapWithConcurrency(chunk(entries, BATCH_WRITE_MAX_ITEMS), concurrency, async (group) => {
    try {
      const output = await documentClient.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: group.map(({ item }) => ({ PutRequest: { Item: item } })) },
        }),
      );
      const unprocessed = new Set(
        (output.UnprocessedItems?.[tableName] ?? []).map(
          (r) => `${r.PutRequest?.Item?.pk}\n${r.PutRequest?.Item?.sk}`,
        ),
      );
      for (const entry of group)
        if (unprocessed.has(`${entry.item.pk}\n${entry.item.sk}`)) failed.push(entry);
    } catch (error) {
      if (group.length > 1 && isValidationError(error)) {
        for (const entry of group) {
          await documentClient
            .send(new PutCommand({ TableName: tableName, Item: entry.item }))
            .catch(() => failed.push(entry));
        }
        return;
      }
      failed.push(...group);
    }
  });
  return failed;
}

function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}
