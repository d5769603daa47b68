import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type ClientEndpointConfig, clientEndpointConfig, configuredEndpoint } from '@residency/aws';
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

/** The endpoints of the forwarder's own SDK clients, checked; see {@link forwarderEndpoints}. */
interface ForwarderEndpoints {
  dynamodb: ClientEndpointConfig;
  ssm: ClientEndpointConfig;
}

/**
 * Precondition: every endpoint the forwarder's clients use is loopback or an AWS endpoint of the
 * data region. DynamoDB: `DYNAMODB_ENDPOINT`, else the SDK's `AWS_ENDPOINT_URL_DYNAMODB`, else
 * `AWS_ENDPOINT_URL`; SSM: `AWS_ENDPOINT_URL_SSM`, else `AWS_ENDPOINT_URL`. The SDK's variables are
 * read where the SDK reads them (the process environment, overridden by `environment`); the clients
 * then ignore every configured endpoint and use only these.
 */
function forwarderEndpoints(env: ForwarderEnv, environment: NodeJS.ProcessEnv): ForwarderEndpoints {
  const sdkEnv = environment === process.env ? environment : { ...process.env, ...environment };
  const dynamodb = env.DYNAMODB_ENDPOINT
    ? { setting: 'DYNAMODB_ENDPOINT', url: env.DYNAMODB_ENDPOINT }
    : configuredEndpoint(sdkEnv, 'DynamoDB');
  const ssm = configuredEndpoint(sdkEnv, 'SSM');
  return {
    dynamodb: clientEndpointConfig(env.DATA_REGION, 'dynamodb', dynamodb?.url, {
      setting: dynamodb?.setting,
    }),
    ssm: clientEndpointConfig(env.DATA_REGION, 'ssm', ssm?.url, { setting: ssm?.setting }),
  };
}

async function loadPrivateKey(env: ForwarderEnv, endpoints: ForwarderEndpoints): Promise<string> {
  if (env.SIGNING_KEY_PARAMETER) {
    const ssm = new SSMClient({ region: env.DATA_REGION, ...endpoints.ssm });
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
 * the function and every ARN it was given are in the data region (and one account), every endpoint
 * of its DynamoDB and SSM clients is loopback or of the data region, the origin is allowlisted and
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
  const endpoints = forwarderEndpoints(env, environment);
  const privateKeyPem = await loadPrivateKey(env, endpoints);
  const dynamodb = new DynamoDBClient({ region: env.DATA_REGION, ...endpoints.dynamodb });
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
