import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll, writeBatch } from '@residency/aws';
import { BorderLogWriteError } from '../errors.ts';
import {
  type EgressLog,
  type EgressLogEntry,
  egressDayPartitionKeys,
  egressPartitionKey,
  egressSortKey,
} from './egress-log.ts';
import {
  type Quarantine,
  type QuarantineEntry,
  quarantineDayPartitionKeys,
  quarantinePartitionKey,
  quarantineSortKey,
} from './quarantine.ts';

// Unprocessed items: up to 9 rounds, backing off from 20 ms to 5 s.
const UNPROCESSED_RETRY = { maxAttempts: 9, baseDelayMillis: 20, maxDelayMillis: 5_120 };

// Every item of a day's partitions, all pages, in sort-key order, without the key attributes.
async function queryDay<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  partitionKeys: readonly string[],
): Promise<T[]> {
  const parts = await Promise.all(
    partitionKeys.map((pk) =>
      queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    ),
  );
  return parts
    .flat()
    .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0))
    .map(({ pk: _pk, sk: _sk, ...entry }) => entry as T);
}

const documentClient = (dynamodb: DynamoDBClient) =>
  DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });

/** A DynamoDB-backed egress log that can also be read (for audits, `residency` commands and tests). */
export interface DynamoEgressLog extends EgressLog {
  /** Every entry of one UTC day (`yyyy-mm-dd`), in time order. */
  listDay(day: string): Promise<EgressLogEntry[]>;
}

/**
 * The egress log on a DynamoDB table with string keys `pk`, `sk`:
 * `{ pk: 'EGRESS#<yyyy-mm-dd>#<part>', sk: '<sentAt>#<batchId>', batchId, kind, count, sha256, destination, sentAt, status, ... }`,
 * a day spread over 16 parts (`0`..`f`) by batch id.
 *
 * @example const egressLog = createDynamoEgressLog({ dynamodb: clients.dynamodb, tableName: 'residency-egress-log' });
 */
export function createDynamoEgressLog(options: {
  dynamodb: DynamoDBClient;
  tableName: string;
}): DynamoEgressLog {
  const client = documentClient(options.dynamodb);
  const write = async (item: EgressLogEntry) => {
    try {
      await client.send(
        new PutCommand({
          TableName: options.tableName,
          Item: { pk: egressPartitionKey(item), sk: egressSortKey(item), ...item },
        }),
      );
    } catch (cause) {
      throw new BorderLogWriteError('egress', { cause });
    }
  };
  return {
    begin: (entry) => write({ ...entry, status: 'sending' }),
    finish: (entry, outcome) => write({ ...entry, ...outcome }),
    listDay: (day) => queryDay<EgressLogEntry>(client, options.tableName, egressDayPartitionKeys(day)),
  };
}

/** A DynamoDB-backed quarantine that can also be read. */
export interface DynamoQuarantine extends Quarantine {
  /** Every entry of one UTC day of arrival (`yyyy-mm-dd`). */
  listDay(day: string): Promise<QuarantineEntry[]>;
}

/**
 * The quarantine on a DynamoDB table with string keys `pk`, `sk`:
 * `{ pk: 'Q#<yyyy-mm-dd>#<part>', sk: 'outbox#<shardId>#<sequenceNumber>[#<subSequenceNumber>]', reason, rules, paths, shardId, sequenceNumber, ... }`,
 * a day spread over 16 parts by sort key (the ingest's entries share the table and the scheme).
 * No payload: see {@link QuarantineEntry}.
 */
export function createDynamoQuarantine(options: {
  dynamodb: DynamoDBClient;
  tableName: string;
}): DynamoQuarantine {
  const client = documentClient(options.dynamodb);
  return {
    async put(entries) {
      const { failed, refused, lastError } = await writeBatch(
        client,
        options.tableName,
        entries,
        (entry) => {
          const sk = quarantineSortKey(entry);
          return { put: { pk: quarantinePartitionKey(entry, sk), sk, ...entry } };
        },
        { retry: UNPROCESSED_RETRY },
      );
      if (failed.length + refused.length > 0)
        throw new BorderLogWriteError('quarantine', { cause: lastError });
    },
    listDay: async (day) =>
      await queryDay<QuarantineEntry & { stream?: string }>(
        client,
        options.tableName,
        quarantineDayPartitionKeys(day),
      ),
  };
}
