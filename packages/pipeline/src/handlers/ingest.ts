import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createIngestFromEnv } from '../wiring/ingest-from-env.ts';
import { beginInvocation, coldStart, createFunctionTelemetry } from './lambda-runtime.ts';

const telemetry = createFunctionTelemetry('residency-ingest');
const ready = coldStart(
  async () => (await createIngestFromEnv(process.env, telemetry)).handler,
  telemetry.logger,
);

/**
 * The ingest Lambda (Kinesis event source, `ReportBatchItemFailures`, `ParallelizationFactor` 1).
 * Configuration comes from the environment (see `IngestEnvSchema`); the work is in
 * `createIngestHandler`.
 */
export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  beginInvocation(telemetry, context);
  const ingest = await ready();
  return ingest(event, context);
}
