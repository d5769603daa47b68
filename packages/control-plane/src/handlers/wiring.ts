import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '@residency/aws';
import { createBatchVerifier } from '@residency/border';
import { type ControlPlaneConfig, loadControlPlaneConfig } from '../config/control-plane-env.ts';
import { DEFAULT_MAX_SKEW_MILLIS } from '../config/defaults.ts';
import type { ControlPlaneLogger } from '../ingest/alerts.ts';
import { type ControlPlane, createControlPlane } from '../ingest/create-control-plane.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { createDynamoControlPlaneStore } from '../store/dynamo-store.ts';

/** Everything a control-plane function needs, built once per cold start from the environment. */
export interface ControlPlaneWiring {
  config: ControlPlaneConfig;
  logger: ControlPlaneLogger;
  store: ControlPlaneStore;
  controlPlane: ControlPlane;
}

/** Builds the wiring from `process.env` (throws, and so refuses to run, on a bad configuration). */
export function wireFromEnv(serviceName: string): ControlPlaneWiring {
  const config = loadControlPlaneConfig();
  const powertools = new Logger({ serviceName });
  const logger: ControlPlaneLogger = {
    info: (message, fields) => powertools.info(message, fields ?? {}),
    warn: (message, fields) => powertools.warn(message, fields ?? {}),
    error: (message, fields) => powertools.error(message, fields ?? {}),
  };
  const store = createDynamoControlPlaneStore({
    // Through createAwsClients for its connection and request time-outs: the SDK's default waits
    // for ever on a half-open socket, until the function times out.
    dynamodb: createAwsClients({
      region: config.region,
      endpoints: config.dynamodbEndpoint ? { dynamodb: config.dynamodbEndpoint } : {},
    }).dynamodb,
    tables: config.tables,
    ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
  });
  const verifier = createBatchVerifier({
    keys: config.publicKeys,
    maxSkewMillis: config.maxSkewMillis ?? DEFAULT_MAX_SKEW_MILLIS,
    now: () => Date.now(),
    retiredKeyIds: config.retiredKeyIds,
  });
  return { config, logger, store, controlPlane: createControlPlane({ store, verifier, logger }) };
}
