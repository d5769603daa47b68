import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { QuarantineEntry, QuarantinePort } from '../ports.ts';
import { putBatch } from '../support/batch-write.ts';
import type { RetryEnvironment, RetryPolicy } from '../support/retry.ts';
import { describeError } from '../support/safe-error.ts';
import type { PayloadEncryptor } from './payload-encryptor.ts';
import {
  MAX_QUARANTINED_PAYLOAD_BYTES,
  payloadContextOf,
  type QuarantineItem,
  quarantineItemOf,
  quarantineKeyOf,
} from './quarantine-item.ts';

/** Options of {@link createDynamoQuarantine}. */
export interface DynamoQuarantineOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  encryptor: PayloadEncryptor;
  /**
   * Days an item is kept after the record's latest delivery: items carry `expiresAt` for the
   * table's TTL (the stack enables it; dynalite deletes nothing). Default: 30.
   */
  retentionDays?: number;
  /** Retry of unprocessed items and failed calls. Default: `DEFAULT_RETRY_POLICY`. */
  retry?: Partial<RetryPolicy>;
  retryEnvironment?: RetryEnvironment;
}

/**
 * The quarantine on a DynamoDB table (see {@link QuarantineItem}): payloads sealed under a KMS
 * data key, items written with BatchWriteItem (plain puts: a redelivered record overwrites its
 * own item), unprocessed items retried with backoff.
 *
 * @example const quarantine = createDynamoQuarantine({ documentClient, tableName: 'residency-quarantine', encryptor });
 */
export function createDynamoQuarantine(options: DynamoQuarantineOptions): QuarantinePort {
  return {
    async put(entries: readonly QuarantineEntry[]) {
      const results: Array<{ ok: true } | { ok: false; errorCode: string }> = entries.map(() => ({
        ok: true,
      }));
      const items = new Map<string, { index: number; item: QuarantineItem }>();
      for (const [index, entry] of entries.entries()) {
        try {
          const payload = await options.encryptor.seal(
            entry.payload.subarray(0, MAX_QUARANTINED_PAYLOAD_BYTES),
            payloadContextOf(entry.position),
          );
          const item = quarantineItemOf(entry, payload, options.retentionDays);
          items.set(`${item.pk}\n${item.sk}`, { index, item });
        } catch (error) {
          results[index] = { ok: false, errorCode: describeError(error).errorName };
        }
      }
      const { failed, refused } = await putBatch(
        options.documentClient,
        options.tableName,
        [...items.values()],
        options,
      );
      for (const { index } of failed) results[index] = { ok: false, errorCode: 'Unprocessed' };
      for (const { index } of refused) results[index] = { ok: false, errorCode: 'ValidationException' };
      // A record delivered twice in one batch has one item; both entries share its result.
      entries.forEach((entry, index) => {
        const key = quarantineKeyOf(entry.position);
        const owner = items.get(`${key.pk}\n${key.sk}`);
        if (owner && owner.index !== index) results[index] = results[owner.index] ?? { ok: true };
      });
      return results;
    },
  };
}
