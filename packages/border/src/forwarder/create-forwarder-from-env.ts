import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { assertForwarderInRegion } from '../config/assert-forwarder-region.ts';
import { type ForwarderEnv, ForwarderEnvSchema } from '../config/forwarder-env.ts';
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

async function loadPrivateKey(env: ForwarderEnv): Promise<string> {
  if (env.SIGNING_KEY_PARAMETER) {
    const ssm = new SSMClient({ region: env.DATA_REGION });
    try {
      const output = await ssm.send(
        new GetParameterCommand({ Name: env.SIGNING_KEY_PARAMETER, WithDecryption: true }),
      );
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

/**
 * Builds the forwarder from the environment (see `ForwarderEnvSchema`). Cold-start preconditions:
 * the function and every ARN it was given are in the data region, the origin is allowlisted and
 * https (or loopback http in local mode), and the signing key loads. Anything else throws: the
 * function refuses to run.
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
  assertForwarderInRegion(env);
  const privateKeyPem = await loadPrivateKey(env);
  const dynamodb = new DynamoDBClient({
    region: env.DATA_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
  });
  const metrics = createPowertoolsMetrics();
  const forwarder = createForwarder({
    transport: createEgressTransport({
      allowedOrigins: [env.CONTROL_PLANE_ORIGIN],
      localMode: env.RESIDENCY_LOCAL_MODE,
    }),
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
