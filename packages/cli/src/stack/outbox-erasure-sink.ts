import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { ErasureNotice, OutboxMessage } from '@residency/core';
import type { ErasureSink } from '@residency/vault';
import { CliError } from '../errors.ts';

/**
 * The vault's erasure notices go out the one way anything leaves the region: onto the in-region
 * outbox stream, where the forwarder checks, signs and sends them like every other message.
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
        throw new CliError(`the erasure notice could not be put on ${streamName}; run erase again`, 6);
      }
    },
  };
}
