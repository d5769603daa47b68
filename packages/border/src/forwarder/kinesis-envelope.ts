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
