import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, clinicbook, type TokenPort, type ValidateOptions } from '@residency/core';
import type { AggregatePort } from '@residency/pipeline';
import type { MeasuredClients } from '../environment/clients.ts';
import type { LoadtestTarget } from '../environment/target.ts';
import { createPortMeter, type PortMeter } from '../measure/port-meter.ts';
import { importFor } from './import-for.ts';
import type { Invoke } from './measure-pass.ts';

/** Options of {@link createPipelineIngest}. */
export interface PipelineIngestOptions {
  target: LoadtestTarget;
  clients: MeasuredClients;
  tokenPort: TokenPort;
  clock: Clock;
  countryOf?: ValidateOptions['countryOf'];
  /** Event ids the aggregates keep per (window, shard). Default: the pipeline's. */
  recentEvents?: number;
  /**
   * The aggregates port: the DynamoDB store (default), or `none`, a port that takes every
   * observation and does nothing: a counterfactual, what the rest of the handler costs.
   */
  aggregates?: 'dynamodb' | 'none';
}

/**
 * The pipeline's real ingest handler, wired as `createIngestFromEnv` wires it on Lambda (vault,
 * Kinesis outbox, DynamoDB quarantine and aggregates) but on the measured clients: every call
 * is counted, and the outbox client is the one the run chose. Logs are dropped and metrics kept
 * in memory (the pipeline's own fakes for this), so stdout stays the table's.
 */
export async function createPipelineIngest(
  options: PipelineIngestOptions,
): Promise<{ invoke: Invoke; ports: PortMeter; notes: string[] }> {
  const {
    createDynamoAggregateStore,
    createDynamoQuarantine,
    createIngestHandler,
    createInMemoryMetrics,
    createKinesisOutbox,
    createKmsPayloadEncryptor,
    silentLogger,
  } = await importFor('hotpath', '@residency/pipeline', () => import('@residency/pipeline'));
  const { target, clients } = options;
  const documentClient = DynamoDBDocumentClient.from(clients.aws.dynamodb);
  const ports = createPortMeter();
  const handler = createIngestHandler({
    catalog: clinicbook,
    tokenPort: ports.wrap('vault', options.tokenPort),
    outbox: ports.wrap(
      'outbox',
      createKinesisOutbox({ kinesis: clients.outbox, streamName: target.streams.outbox }),
    ),
    quarantine: ports.wrap(
      'quarantine',
      createDynamoQuarantine({
        documentClient,
        tableName: target.tables.quarantine,
        encryptor: createKmsPayloadEncryptor({ kms: clients.aws.kms, keyArn: target.keyArn }),
      }),
    ),
    aggregates: ports.wrap(
      'aggregates',
      options.aggregates === 'none'
        ? noAggregates
        : createDynamoAggregateStore({
            documentClient,
            tableName: target.tables.aggregates,
            ...(options.recentEvents ? { maxRecentEvents: options.recentEvents } : {}),
          }),
    ),
    logger: silentLogger,
    metrics: createInMemoryMetrics(),
    clock: options.clock,
    ...(options.countryOf ? { validateOptions: { countryOf: options.countryOf } } : {}),
  });
  return {
    invoke: async (event) => {
      const response = await handler(event);
      return { invalid: 0, failed: response.batchItemFailures.length };
    },
    ports,
    notes: [
      options.aggregates === 'none'
        ? 'pipeline ingest handler with the aggregates port a no-op (a counterfactual, not the pipeline)'
        : 'pipeline ingest handler: vault, Kinesis outbox, DynamoDB quarantine and aggregates; logs dropped, metrics in memory',
    ],
  };
}

// Takes every observation as applied and keeps nothing: the handler still builds them.
const noAggregates: AggregatePort = {
  apply: async (_shardId, observations) => ({
    applied: observations.length,
    late: 0,
    duplicates: 0,
    repeated: 0,
    retry: [],
    lateByType: {},
  }),
};
