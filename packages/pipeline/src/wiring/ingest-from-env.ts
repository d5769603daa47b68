import type { Clock, CompiledCatalog, CountryResolverOptions, TokenPort } from '@residency/core';
import { clinicbook, createCountryResolver } from '@residency/core';
import { createVault } from '@residency/vault';
import { createDynamoAggregateStore } from '../aggregates/dynamodb-aggregate-store.ts';
import { type IngestConfig, loadIngestConfig, type PipelineEnv } from '../config/env.ts';
import { createIngestHandler, type IngestHandler } from '../ingest/create-ingest-handler.ts';
import type { PipelineLogger } from '../observability/logger.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import { createKinesisOutbox } from '../outbox/kinesis-outbox.ts';
import { createDynamoQuarantine } from '../quarantine/dynamodb-quarantine.ts';
import { createKmsPayloadEncryptor } from '../quarantine/payload-encryptor.ts';
import { nameOf, verifiedClientsFor } from './clients-from-env.ts';

type CountryCode = NonNullable<CountryResolverOptions['defaultCountry']>;

/** What {@link createIngestFromEnv} takes besides the environment. */
export interface IngestFromEnvOptions {
  logger: PipelineLogger;
  metrics: PipelineMetrics;
  /** Default: ClinicBook. */
  catalog?: CompiledCatalog;
  /** Default: the vault on `VAULT_TABLE` / `AUDIT_TABLE` and `KEY_ARN`. */
  tokenPort?: TokenPort;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A handler built from the environment, and how to release its clients. */
export interface IngestFromEnv {
  handler: IngestHandler;
  config: IngestConfig;
  close(): void;
}

/**
 * Builds the ingest handler from the environment (the Lambda entry point and `residency up` use
 * it). Cold start: reads and checks the environment (see `deployment-checks.ts` for what it adds to
 * `loadIngestConfig`: table and stream settings of their kind, no local mode in Lambda), verifies every resource is in the data region, then wires the vault, outbox, quarantine and aggregates. Throws `RegionMismatchError`
 * or `ConfigurationError` before doing any work.
 *
 * @example const { handler } = await createIngestFromEnv(process.env, { logger, metrics });
 */
export async function createIngestFromEnv(
  env: PipelineEnv,
  options: IngestFromEnvOptions,
): Promise<IngestFromEnv> {
  const config = loadIngestConfig(env);
  const { clients, documentClient } = await verifiedClientsFor(config, env);
  const tokenPort =
    options.tokenPort ??
    createVault({
      clients,
      region: config.dataRegion,
      keyArn: config.keyArn,
      tableName: nameOf(config.tables, 'VAULT_TABLE'),
      auditTableName: nameOf(config.tables, 'AUDIT_TABLE'),
    });
  const handler = createIngestHandler({
    catalog: options.catalog ?? clinicbook,
    tokenPort,
    outbox: createKinesisOutbox({
      kinesis: clients.kinesis,
      streamName: nameOf(config.streams, 'OUTBOX_STREAM_NAME'),
    }),
    quarantine: createDynamoQuarantine({
      documentClient,
      tableName: nameOf(config.tables, 'QUARANTINE_TABLE'),
      encryptor: createKmsPayloadEncryptor({ kms: clients.kms, keyArn: config.keyArn }),
      retentionDays: config.quarantineRetentionDays,
    }),
    aggregates: createDynamoAggregateStore({
      documentClient,
      tableName: nameOf(config.tables, 'AGGREGATES_TABLE'),
      allowedLatenessSeconds: config.allowedLatenessSeconds,
      maxRecentEvents: config.aggregateRecentEvents,
      retentionDays: config.aggregateRetentionDays,
    }),
    logger: options.logger,
    metrics: options.metrics,
    validateOptions: {
      countryOf: createCountryResolver({
        defaultCountry: config.defaultCountry as CountryCode,
        byPrefix: config.countryByPrefix as Record<string, CountryCode>,
      }),
    },
    windowSeconds: config.windowSeconds,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { handler, config, close: () => clients.destroy() };
}
