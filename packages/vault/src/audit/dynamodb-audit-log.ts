import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AuditWriteError } from '../errors.ts';
import type { AuditLog, AuditRecord } from './audit-log.ts';

/** Options of {@link createDynamoDbAuditLog}. */
export interface DynamoDbAuditLogOptions {
  /** A DynamoDB client pinned to the data region. */
  dynamodb: DynamoDBClient;
  /** The audit table (key `pk` S + `sk` S). */
  tableName: string;
}

/**
 * The {@link AuditLog} adapter for DynamoDB. Items: `pk = AUDIT#<yyyy-mm-dd>`,
 * `sk = <ISO time>#<uuid>`, with requestId, action, outcome, tokens (list), count, and when
 * present actor, purpose, actorDigest, actorShape, reason and noticeId. Append-only: the put is conditional, so a record is never overwritten.
 *
 * @example createDynamoDbAuditLog({ dynamodb: clients.dynamodb, tableName: 'residency-audit' })
 */
export function createDynamoDbAuditLog(options: DynamoDbAuditLogOptions): AuditLog {
  return {
    async append(record: AuditRecord): Promise<void> {
      const iso = new Date(record.atMillis).toISOString();
      try {
        await options.dynamodb.send(
          new PutItemCommand({
            TableName: options.tableName,
            Item: {
              pk: { S: `AUDIT#${iso.slice(0, 10)}` },
              sk: { S: `${iso}#${randomUUID()}` },
              requestId: { S: record.requestId },
              action: { S: record.action },
              outcome: { S: record.outcome },
              tokens: { L: record.tokens.map((token) => ({ S: token })) },
              count: { N: String(record.count) },
              ...optional('actor', record.actor),
              ...optional('purpose', record.purpose),
              ...optional('actorDigest', record.actorDigest),
              ...optional('actorShape', record.actorShape),
              ...optional('reason', record.reason),
              ...optional('noticeId', record.noticeId),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (cause) {
        throw new AuditWriteError(`audit log ${options.tableName} could not be written`, record.action, {
          cause,
        });
      }
    },
  };
}

/** An optional string attribute: left out when absent or empty. */
function optional(name: string, value: string | undefined): Record<string, { S: string }> {
  return value ? { [name]: { S: value } } : {};
}
