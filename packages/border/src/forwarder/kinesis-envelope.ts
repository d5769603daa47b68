import { outboxMessagesOf } from '@residency/core';
import { z } from 'zod';

/** The parts of a Lambda Kinesis event the forwarder reads. Parsed before any record is touched. */
export const KinesisEnvelopeSchema = z.object({
  Records: z.array(
    z.object({
      eventID: z.string().regex(/^[^:]+:\d+$/),
      kinesis: z.object({
        data: z.string(),
        sequenceNumber: z.string().regex(/^\d+$/),
        approximateArrivalTimestamp: z.number(),
      }),
    }),
  ),
});

/** See {@link KinesisEnvelopeSchema}. */
export type KinesisEnvelope = z.infer<typeof KinesisEnvelopeSchema>;

/** One stream record, decoded. */
export interface StreamRecord {
  index: number;
  shardId: string;
  sequenceNumber: string;
  /** ISO time Kinesis received it. */
  arrivedAt: string;
  data: Buffer;
}

/** Parses a Kinesis event into decoded stream records, in order. */
export function decodeKinesisEvent(event: unknown): StreamRecord[] {
  const envelope = KinesisEnvelopeSchema.parse(event);
  return envelope.Records.map((record, index) => ({
    index,
    shardId: record.eventID.slice(0, record.eventID.lastIndexOf(':')),
    sequenceNumber: record.kinesis.sequenceNumber,
    arrivedAt: new Date(Math.round(record.kinesis.approximateArrivalTimestamp * 1000)).toISOString(),
    data: Buffer.from(record.kinesis.data, 'base64'),
  }));
}

/** One outbox message of a stream record: the outbox packs one or more in a record (see `outboxMessagesOf`). */
export interface StreamMessage {
  /** Index of the message in the invocation, over every record's messages, in stream order. */
  index: number;
  record: StreamRecord;
  /** The message's place in its record (from 0), when the record carries more than one. */
  subSequenceNumber?: number;
  data: Uint8Array;
}

/** The messages of the records, in stream order. */
export function streamMessagesOf(records: readonly StreamRecord[]): StreamMessage[] {
  const messages: StreamMessage[] = [];
  for (const record of records) {
    const parts = outboxMessagesOf(record.data);
    parts.forEach((data, sub) => {
      messages.push({
        index: messages.length,
        record,
        ...(parts.length > 1 ? { subSequenceNumber: sub } : {}),
        data,
      });
    });
  }
  return messages;
}
