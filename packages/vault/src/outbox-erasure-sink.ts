import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { ErasureNotice, OutboxMessage } from '@residency/core';
import type { ErasureSink } from './erasure-sink.ts';
import { OutboxWriteError } from './errors.ts';

/**
 * The vault's erasure notices go out the one way anything leaves the region: onto the in-region
 * outbox stream, where the forwarder checks, signs and sends them like every other message. One
 * record per notice (a single-line record, as `outboxMessagesOf` reads it), partitioned by the
 * notice id, so the partition key carries no token. A record the stream refuses (PutRecords
 * reports failures per record, not as an error:
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html) throws
 * {@link OutboxWriteError}.
 *
 * @example createVault({ ...options, erasureSink: outboxErasureSink(clients.kinesis, 'residency-outbox') })
 */
export function outboxErasureSink(kinesis: KinesisClient, streamName: string): ErasureSink {
  return {
    async send(notice: ErasureNotice) {
      const message: OutboxMessage = { kind: 'erasure', erasure: notice };
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: [{ Data: Buffer.from(JSON.stringify(message)), PartitionKey: notice.noticeId }],
        }),
      );
      if ((result.FailedRecordCount ?? 0) > 0) {
        throw new OutboxWriteError(
          `the erasure notice could not be put on ${streamName}; run erase again`,
          streamName,
          result.Records?.[0]?.ErrorCode ?? 'unknown',
        );
      }
    },
  };
}
