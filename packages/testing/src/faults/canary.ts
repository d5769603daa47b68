import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

/**
 * Writes an item of string attributes to `tableName` (created with a `pk` string key if missing):
 * a positive control for leak scans, showing that a value written in clear (or hashed) into a
 * table is found where the scan looks (the emulator's files, a table scan).
 *
 * @example await putCanaryItem(clients.dynamodb, 'hygiene-canary', { pk: '01711234567' });
 */
export async function putCanaryItem(
  dynamodb: DynamoDBClient,
  tableName: string,
  attributes: Record<string, string> & { pk: string },
): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (;;) {
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (table.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { S: value }])),
    }),
  );
}
