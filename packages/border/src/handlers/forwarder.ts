import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createForwarderFromEnv } from '../forwarder/create-forwarder-from-env.ts';

// Cold start: environment, data-region and key checks run at import. A failure here means the
// function never handles an event (fail closed).
const wired = await createForwarderFromEnv();

/**
 * The forwarder Lambda: Kinesis event source on the outbox stream with `ReportBatchItemFailures`.
 * Configure the mapping with `MaximumRetryAttempts: -1` and no `MaximumRecordAgeInSeconds` below
 * the stream's retention: records that cannot be delivered must wait in the stream, never expire.
 */
export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  try {
    return await wired.forwarder.handle(event, context);
  } finally {
    wired.publishMetrics();
  }
}
