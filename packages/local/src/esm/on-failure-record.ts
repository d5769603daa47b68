import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { BufferedRecord } from './stream-record.ts';

/**
 * Lambda's on-failure invocation record for a Kinesis source: metadata about a discarded batch,
 * never its records. The shape follows
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html. The schema is
 * strict so that a destination parsing with it cannot be handed anything else (such as payloads).
 */
export const OnFailureRecordSchema = z
  .object({
    requestContext: z
      .object({
        requestId: z.string(),
        functionArn: z.string(),
        condition: z.enum(['RetryAttemptsExhausted', 'RecordAgeExceeded']),
        approximateInvokeCount: z.number().int().min(0),
      })
      .strict(),
    /** Present when the function was invoked; `functionError` only when it errored or timed out. */
    responseContext: z
      .object({
        statusCode: z.number().int(),
        executedVersion: z.string(),
        functionError: z.literal('Unhandled').optional(),
      })
      .strict()
      .optional(),
    version: z.literal('1.0'),
    timestamp: z.string(),
    KinesisBatchInfo: z
      .object({
        shardId: z.string(),
        startSequenceNumber: z.string(),
        endSequenceNumber: z.string(),
        approximateArrivalOfFirstRecord: z.string(),
        approximateArrivalOfLastRecord: z.string(),
        batchSize: z.number().int().min(1),
        streamArn: z.string(),
      })
      .strict(),
  })
  .strict();

/** See {@link OnFailureRecordSchema}. */
export type OnFailureRecord = z.infer<typeof OnFailureRecordSchema>;

/** Why a batch was discarded: the `requestContext.condition` of the on-failure record. */
export type OnFailureCondition = OnFailureRecord['requestContext']['condition'];

/**
 * Where the metadata of discarded batches goes (Lambda's `DestinationConfig.OnFailure`).
 * Implementations must keep it in the data region; it never carries record data.
 */
export interface FailureDestination {
  send(record: OnFailureRecord): Promise<void>;
}

/** What is known about a discarded batch when its on-failure record is built. */
export interface DiscardedBatch {
  records: readonly BufferedRecord[];
  condition: OnFailureCondition;
  invokeCount: number;
  /** Whether the last invocation was a function error (throw, rejection, timeout). */
  lastFunctionError: boolean;
  functionArn: string;
  streamArn: string;
  shardId: string;
  now: number;
}

/** Builds the on-failure record of a discarded batch (metadata only). */
export function buildOnFailureRecord(batch: DiscardedBatch): OnFailureRecord {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (!first || !last) throw new Error('an on-failure record needs at least one record');
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    ...(batch.invokeCount > 0
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(batch.lastFunctionError ? { functionError: 'Unhandled' as const } : {}),
          },
        }
      : {}),
    version: '1.0',
    timestamp: new Date(batch.now).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMillis).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMillis).toISOString(),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}
