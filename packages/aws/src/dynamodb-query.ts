import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The pages of a Query, in order, following `LastEvaluatedKey` until the last one (a page stops at
 * 1 MB of items). Stop iterating to stop reading: no further page is requested.
 *
 * Not the SDK's `paginateQuery`: that takes only an instance of `DynamoDBDocumentClient`, and the
 * adapters take any client with its `send` (tests wrap it to count calls and inject faults).
 *
 * @example for await (const page of queryPages(doc, { TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })) items.push(...(page.Items ?? []));
 */
export async function* queryPages(
  documentClient: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<QueryCommandOutput> {
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Every item a Query returns, all pages. */
export async function queryAll<T = Record<string, unknown>>(
  documentClient: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of queryPages(documentClient, input)) items.push(...((page.Items ?? []) as T[]));
  return items;
}
