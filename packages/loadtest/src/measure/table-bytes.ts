import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';

/**
 * Bytes DynamoDB bills per stored item on top of its size (its indexing overhead).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export const ITEM_STORAGE_OVERHEAD_BYTES = 100;

/**
 * An item's size as DynamoDB counts it: each attribute's name and value in UTF-8, a number at one
 * byte per two significant digits plus one, binary at its raw length, a list or map 3 bytes plus
 * its elements and one byte per element (the rules of the page above). Written here because the
 * npm packages that do this are unmaintained, and the rules are these few lines.
 */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) {
    let bytes = 3;
    for (const [name, v] of Object.entries(value.M)) bytes += 1 + Buffer.byteLength(name) + valueBytes(v);
    return bytes;
  }
  return 0;
}

// One byte per two significant digits (leading and trailing zeros trimmed), plus one.
function numberBytes(text: string): number {
  const mantissa = text.replace(/^[-+]/, '').replace(/[eE].*$/, '');
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Items and billed bytes (sizes plus the per-item overhead) of one group of a table's items. */
export interface StoredBytes {
  items: number;
  bytes: number;
}

/**
 * Scans a whole table (strongly consistent) and sums what DynamoDB would bill to store its items,
 * by the group `groupOf` gives each item. For the load test's own emulator tables: never point it
 * at a production table.
 */
export async function measureTable(
  client: DynamoDBClient,
  tableName: string,
  groupOf: (item: Record<string, AttributeValue>) => string = () => 'all',
): Promise<Record<string, StoredBytes>> {
  const groups: Record<string, StoredBytes> = {};
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const group = groupOf(item);
      groups[group] ??= { items: 0, bytes: 0 };
      groups[group].items += 1;
      groups[group].bytes += itemBytes(item) + ITEM_STORAGE_OVERHEAD_BYTES;
    }
  }
  return groups;
}
