import { readFile } from 'node:fs/promises';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createAwsClients, type RuntimeEnv } from '@residency/aws';
import { z } from 'zod';
import { assertForwarderInRegion } from '../config/assert-forwarder-region.ts';
import { assertLocalModeAllowed } from '../config/assert-local-mode-allowed.ts';
import {
  type ForwarderEndpoints,
  forwarderEndpoints,
  forwarderRuntimeEnv,
} from '../config/forwarder-endpoints.ts';
import { type ForwarderEnv, ForwarderEnvSchema } from '../config/forwarder-env.ts';
import {
  assertSigningKeyParameterInResidency,
  verifyForwarderResidency,
} from '../config/verify-forwarder-residency.ts';
import { BorderConfigurationError } from '../errors.ts';
import { createDynamoEgressLog, createDynamoQuarantine } from '../logs/dynamo-logs.ts';
import { createEgressTransport } from '../transport/egress-transport.ts';
import { createForwarder, type Forwarder } from './create-forwarder.ts';
import { createPowertoolsLogger, createPowertoolsMetrics } from './powertools.ts';
import { createSigningSealer } from './signing-sealer.ts';

/** A forwarder wired from the Lambda environment, and the hook to flush its metrics per invocation. */
export interface ForwarderFromEnv {
  forwarder: Forwarder;
  env: ForwarderEnv;
  publishMetrics(): void;
}

async function loadPrivateKey(env: ForwarderEnv, endpoints: ForwarderEndpoints): Promise<string> {
  if (env.SIGNING_KEY_PARAMETER) {
    const ssm = new SSMClient({ region: env.DATA_REGION, ...endpoints.ssm });
    try {
      const output = await ssm.send(
        new GetParameterCommand({ Name: env.SIGNING_KEY_PARAMETER, WithDecryption: true }),
      );
      assertSigningKeyParameterInResidency(env, output.Parameter?.ARN);
      const value = output.Parameter?.Value;
      if (!value)
        throw new BorderConfigurationError('signing key parameter is empty', 'SIGNING_KEY_PARAMETER');
      return value;
    } finally {
      ssm.destroy();
    }
  }
  // Only reachable in local mode (the schema requires it for SIGNING_KEY_FILE).
  return readFile(env.SIGNING_KEY_FILE!, 'utf8');
}

/** The data-region target of the forwarder's AWS clients, with the endpoints already checked. */
function awsTargetOf(env: ForwarderEnv, endpoints: ForwarderEndpoints) {
  const { dynamodb, kinesis, kms } = endpoints;
  return {
    region: env.DATA_REGION,
    endpoints: {
      ...(dynamodb.endpoint ? { dynamodb: dynamodb.endpoint } : {}),
      ...(kinesis.endpoint ? { kinesis: kinesis.endpoint } : {}),
      ...(kms.endpoint ? { kms: kms.endpoint } : {}),
    },
  };
}

/**
 * The live half of the cold-start checks (`verifyForwarderResidency`), on clients of its own that
 * use the checked endpoints and are closed when it is done.
 */
async function verifyLiveResources(
  env: ForwarderEnv,
  endpoints: ForwarderEndpoints,
  runtimeEnv: RuntimeEnv,
): Promise<void> {
  const clients = createAwsClients(awsTargetOf(env, endpoints), { runtimeEnv });
  try {
    await verifyForwarderResidency(env, clients);
  } finally {
    clients.destroy();
  }
}

/**
 * Builds the forwarder from the environment (see `ForwarderEnvSchema`). Cold-start preconditions,
 * in this order: a Lambda function runs without local mode (`assertLocalModeAllowed`, in the
 * environment of `forwarderRuntimeEnv`), the function and every ARN it was given are in the data
 * region (and one account), every endpoint of its clients is loopback (not in a Lambda function)
 * or of the data region, and the origin is allowlisted and https (or loopback http in local mode), all before any call; then the live KMS key, and each
 * table and the outbox stream given only by name, report ARNs in the data region and the key's
 * account (`verifyForwarderResidency`); then the signing key loads, from a parameter in the data
 * region and that account. Anything else throws: the function refuses to run, without having read
 * its signing key if a resource check failed.
 */
export async function createForwarderFromEnv(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<ForwarderFromEnv> {
  const parsed = ForwarderEnvSchema.safeParse(environment);
  if (!parsed.success) {
    throw new BorderConfigurationError(
      `invalid forwarder environment: ${z.prettifyError(parsed.error)}`,
      'env',
    );
  }
  const env = parsed.data;
  const runtimeEnv = forwarderRuntimeEnv(environment);
  assertLocalModeAllowed(env, runtimeEnv);
  assertForwarderInRegion(env);
  const endpoints = forwarderEndpoints(env, environment);
  const transport = createEgressTransport({
    allowedOrigins: [env.CONTROL_PLANE_ORIGIN],
    localMode: env.RESIDENCY_LOCAL_MODE,
  });
  await verifyLiveResources(env, endpoints, runtimeEnv);
  const privateKeyPem = await loadPrivateKey(env, endpoints);
  // The egress log's and the quarantine's client, with the shared connection and request time-outs:
  // the SDK's default waits for ever on a half-open socket, until the function times out.
  const { dynamodb } = createAwsClients(awsTargetOf(env, endpoints), { runtimeEnv });
  const metrics = createPowertoolsMetrics();
  const forwarder = createForwarder({
    transport,
    origin: env.CONTROL_PLANE_ORIGIN,
    sealer: createSigningSealer({
      privateKey: privateKeyPem,
      ...(env.SIGNING_KEY_ID ? { keyId: env.SIGNING_KEY_ID } : {}),
    }),
    egressLog: createDynamoEgressLog({ dynamodb, tableName: env.EGRESS_LOG_TABLE }),
    quarantine: createDynamoQuarantine({ dynamodb, tableName: env.QUARANTINE_TABLE }),
    metrics,
    logger: createPowertoolsLogger(),
    ...(env.SEND_BUDGET_MILLIS ? { sendBudgetMillis: env.SEND_BUDGET_MILLIS } : {}),
  });
  return { forwarder, env, publishMetrics: () => metrics.publish() };
}
