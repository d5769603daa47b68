import type { Clock, CompiledCatalog } from '@residency/core';
import { clinicbook } from '@residency/core';
import { createDynamoWindowStore } from '../aggregates/dynamodb-window-store.ts';
import { createWindowCloser, type WindowCloser } from '../closer/create-window-closer.ts';
import { loadWindowCloserConfig, type PipelineEnv, type WindowCloserConfig } from '../config/env.ts';
import type { PipelineLogger } from '../observability/logger.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import { createKinesisOutbox } from '../outbox/kinesis-outbox.ts';
import { nameOf, verifiedClientsFor } from './clients-from-env.ts';

/** What {@link createWindowCloserFromEnv} takes besides the environment. */
export interface WindowCloserFromEnvOptions {
  logger: PipelineLogger;
  metrics: PipelineMetrics;
  /** Default: ClinicBook. */
  catalog?: CompiledCatalog;
  /** Default: the system clock. A finite run advances it past every window to flush them all. */
  clock?: Clock;
}

/** A window closer built from the environment, and how to release its clients. */
export interface WindowCloserFromEnv {
  closer: WindowCloser;
  config: WindowCloserConfig;
  close(): void;
}

/**
 * Builds the window closer from the environment, after the same cold-start checks as the ingest
 * (`deployment-checks.ts`, then the residency checks). Throws `RegionMismatchError` or `ConfigurationError` before doing any work.
 *
 * @example const { closer } = await createWindowCloserFromEnv(process.env, { logger, metrics });
 */
export async function createWindowCloserFromEnv(
  env: PipelineEnv,
  options: WindowCloserFromEnvOptions,
): Promise<WindowCloserFromEnv> {
  const config = loadWindowCloserConfig(env);
  const { clients, documentClient } = await verifiedClientsFor(config, env);
  const closer = createWindowCloser({
    windows: createDynamoWindowStore({
      documentClient,
      tableName: nameOf(config.tables, 'AGGREGATES_TABLE'),
    }),
    outbox: createKinesisOutbox({
      kinesis: clients.kinesis,
      streamName: nameOf(config.streams, 'OUTBOX_STREAM_NAME'),
    }),
    catalog: options.catalog ?? clinicbook,
    logger: options.logger,
    metrics: options.metrics,
    k: config.k,
    allowedLatenessSeconds: config.allowedLatenessSeconds,
    closeGraceSeconds: config.closeGraceSeconds,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(config.noiseEpsilon !== undefined ? { noise: { epsilon: config.noiseEpsilon } } : {}),
  });
  return { closer, config, close: () => clients.destroy() };
}
