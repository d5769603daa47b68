import { join } from 'node:path';
import {
  type CheckpointStore,
  createEventSourceMapping,
  createFileCheckpointStore,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type LocalStackPlugin,
} from '@residency/local';
import { BorderConfigurationError } from '../errors.ts';
import { createForwarder } from '../forwarder/create-forwarder.ts';
import type { ForwarderLogger, ForwarderMetrics } from '../forwarder/observability.ts';
import { createSigningSealer } from '../forwarder/signing-sealer.ts';
import { createDynamoEgressLog, createDynamoQuarantine } from '../logs/dynamo-logs.ts';
import { createEgressTransport } from '../transport/egress-transport.ts';

/** Options of {@link forwarderPlugin}. */
export interface ForwarderPluginOptions {
  /** The forwarder's Ed25519 private key (PEM) and its key id, e.g. from `loadOrCreateLocalSigningKey`. */
  signingKey: { privateKeyPem: string; keyId: string };
  /** Records per invocation (`BatchSize`). Default: 500. */
  batchSize?: number;
  /** Default: discards metrics. */
  metrics?: ForwarderMetrics;
  /** Default: discards logs. */
  logger?: ForwarderLogger;
  /** Called with the running mapping (e.g. so `residency run` can drain it). */
  onStarted?: (mapping: EventSourceMapping) => void;
  /**
   * Builds the event source mapping from the options the plugin chose (a seam for the fault
   * harness: `createBounceableMapping` of `@residency/testing` wraps it so the poller can be
   * crashed mid-batch). Called once per start of the plugin. Default: `createEventSourceMapping`.
   */
  createMapping?: (options: ForwarderMappingOptions) => EventSourceMapping;
}

/** What {@link ForwarderPluginOptions.createMapping} receives: a mapping's options, with its checkpoint store. */
export interface ForwarderMappingOptions extends EventSourceMappingOptions {
  /** File checkpoints under `<dataDir>/checkpoints`: they outlive the mapping and the process. */
  checkpointStore: CheckpointStore;
}

/**
 * The forwarder as a `residency up` plugin: an event source mapping on the outbox stream
 * (`ReportBatchItemFailures`, retried forever, checkpoints under `<dataDir>/checkpoints`) invoking
 * the forwarder, which sends to `endpoints.controlPlane` over loopback http (local mode) and writes
 * the `quarantine` and `egressLog` tables. Put it after the control-plane plugin.
 *
 * @example
 * const key = await loadOrCreateLocalSigningKey(dataDir);
 * plugins: [controlPlanePlugin({ publicKeys: { [key.keyId]: key.publicKeyPem } }), forwarderPlugin({ signingKey: key })]
 */
export function forwarderPlugin(options: ForwarderPluginOptions): LocalStackPlugin {
  return async ({ clients, endpoints, dataDir }) => {
    const origin = endpoints.endpoints.controlPlane;
    const streamName = endpoints.streams.outbox;
    const quarantineTable = endpoints.tables.quarantine;
    const egressLogTable = endpoints.tables.egressLog;
    if (!origin)
      throw new BorderConfigurationError(
        'no control plane in endpoints.json: start its plugin first',
        'controlPlane',
      );
    if (!streamName || !quarantineTable || !egressLogTable) {
      throw new BorderConfigurationError(
        'endpoints.json lacks the outbox stream or the quarantine/egressLog tables',
        'resources',
      );
    }
    const transport = createEgressTransport({ allowedOrigins: [origin], localMode: true });
    const forwarder = createForwarder({
      transport,
      origin,
      sealer: createSigningSealer({
        privateKey: options.signingKey.privateKeyPem,
        keyId: options.signingKey.keyId,
      }),
      egressLog: createDynamoEgressLog({ dynamodb: clients.dynamodb, tableName: egressLogTable }),
      quarantine: createDynamoQuarantine({ dynamodb: clients.dynamodb, tableName: quarantineTable }),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const mapping = (options.createMapping ?? createEventSourceMapping)({
      kinesis: clients.kinesis,
      streamName,
      functionName: 'residency-forwarder',
      handler: (event, context) => forwarder.handle(event, context),
      startingPosition: 'TRIM_HORIZON',
      functionResponseTypes: ['ReportBatchItemFailures'],
      batchSize: options.batchSize ?? 500,
      // Records the control plane cannot take yet wait in the stream: never discard them.
      maximumRetryAttempts: -1,
      checkpointStore: createFileCheckpointStore({ directory: join(dataDir, 'checkpoints') }),
    });
    await mapping.start();
    options.onStarted?.(mapping);
    return {
      async stop() {
        await mapping.stop();
        transport.close();
      },
      extra: { forwarder: { keyId: options.signingKey.keyId } },
    };
  };
}
