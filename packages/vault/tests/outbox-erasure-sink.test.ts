import type { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type ErasureNotice, OutboxMessageSchema } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { OutboxWriteError, outboxErasureSink } from '../src/index.ts';

const NOTICE: ErasureNotice = {
  schema: 'residency.erasure.v1',
  noticeId: '5f0c6a56-2f1e-4c3b-9a57-0f5d2f8c9e11',
  erasedAt: '2026-03-01T10:00:00.000Z',
  tokens: ['pat_0123456789ABCDEFGHJKMNPQRS'],
};

/** A Kinesis client that records what it is sent and answers PutRecords with `output`. */
function fakeKinesis(output: object): { client: KinesisClient; sent: PutRecordsCommand[] } {
  const sent: PutRecordsCommand[] = [];
  const client = {
    send: async (command: PutRecordsCommand) => {
      sent.push(command);
      return output;
    },
  } as unknown as KinesisClient;
  return { client, sent };
}

describe('outboxErasureSink', () => {
  it('puts one outbox message of kind erasure on the stream, partitioned by the notice id', async () => {
    const { client, sent } = fakeKinesis({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] });
    await outboxErasureSink(client, 'residency-outbox').send(NOTICE);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.input;
    expect(input?.StreamName).toBe('residency-outbox');
    expect(input?.Records).toHaveLength(1);
    const record = input?.Records?.[0];
    expect(record?.PartitionKey).toBe(NOTICE.noticeId);
    const message = OutboxMessageSchema.parse(JSON.parse(Buffer.from(record?.Data ?? []).toString('utf8')));
    expect(message).toEqual({ kind: 'erasure', erasure: NOTICE });
  });

  it('throws OutboxWriteError with the error code when the stream refuses the record', async () => {
    const { client } = fakeKinesis({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }],
    });
    const error = await outboxErasureSink(client, 'residency-outbox')
      .send(NOTICE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxWriteError);
    expect(error).toMatchObject({
      streamName: 'residency-outbox',
      errorCode: 'ProvisionedThroughputExceededException',
    });
  });
});
