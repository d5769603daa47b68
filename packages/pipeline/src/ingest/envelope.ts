import { z } from 'zod';

/**
 * One record of a Kinesis event as Lambda delivers it (only what the pipeline reads).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
export const KinesisEventRecordSchema = z.object({
  kinesis: z.object({
    data: z.string(),
    sequenceNumber: z.string().regex(/^\d{1,128}$/),
    partitionKey: z.string(),
    approximateArrivalTimestamp: z.number(),
  }),
  /** `<shardId>:<sequenceNumber>`. */
  eventID: z.string().regex(/^shardId-[0-9]{12}:\d{1,128}$/),
  eventSourceARN: z.string().startsWith('arn:'),
});

/** See {@link KinesisEventRecordSchema}. */
export type KinesisEventRecord = z.infer<typeof KinesisEventRecordSchema>;

/** The envelope Lambda passes to a Kinesis handler. Parsed first; each record's payload after. */
export const KinesisEnvelopeSchema = z.object({ Records: z.array(KinesisEventRecordSchema) });

/** A record's place in its stream, the key of everything the pipeline stores about it. */
export interface RecordPosition {
  shardId: string;
  sequenceNumber: string;
  eventSourceARN: string;
  /** When Kinesis accepted the record, epoch millis. */
  arrivalMillis: number;
}

/** The position of a parsed record. */
export function positionOf(record: KinesisEventRecord): RecordPosition {
  return {
    shardId: record.eventID.slice(0, record.eventID.indexOf(':')),
    sequenceNumber: record.kinesis.sequenceNumber,
    eventSourceARN: record.eventSourceARN,
    arrivalMillis: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
  };
}
