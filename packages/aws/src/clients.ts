import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CallCounter } from './call-counter.ts';
import { assertEndpointInRegion, type EndpointCheckOptions, isLoopbackUrl } from './endpoint-policy.ts';
import { type AwsTarget, validateTarget } from './target.ts';

/** The SDK v3 clients the data plane uses, all pinned to the data region. */
export interface AwsClients {
  region: string;
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  /** Closes sockets held by the clients' keep-alive agents. */
  destroy(): void;
}

/** Options for {@link createAwsClients}. */
export interface CreateAwsClientsOptions {
  /** Count every API call on these clients (load tests, KMS-call assertions). Default: none. */
  counter?: CallCounter;
  /** Maximum sockets per client. Default: 64. */
  maxSockets?: number;
  /** SDK retry attempts per call. Default: 3 (the SDK default). */
  maxAttempts?: number;
}

// Local emulators accept any credentials; real AWS uses the default provider chain.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The endpoint settings of one SDK client: see {@link clientEndpointConfig}. */
export interface ClientEndpointConfig {
  ignoreConfiguredEndpointUrls: true;
  endpoint?: string;
}

/**
 * Endpoint settings for an SDK client we construct: the endpoint, if any, after
 * `assertEndpointInRegion`, and `ignoreConfiguredEndpointUrls`, so the SDK never picks an endpoint
 * itself from `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>` or the shared config file's
 * `endpoint_url`, which no residency check would have seen. Without an endpoint the client uses
 * the regional AWS endpoint of `region`.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 *
 * @example new SSMClient({ region, ...clientEndpointConfig(region, 'ssm', endpoint) })
 */
export function clientEndpointConfig(
  region: string,
  service: string,
  endpoint: string | undefined,
  options: EndpointCheckOptions = {},
): ClientEndpointConfig {
  if (endpoint === undefined) return { ignoreConfiguredEndpointUrls: true };
  assertEndpointInRegion(endpoint, region, service, options);
  return { ignoreConfiguredEndpointUrls: true, endpoint };
}

/**
 * The one client factory. Every client is pinned to the target's region and goes only to the
 * target's (validated) endpoints or, without one, to the regional AWS endpoint: the SDK's own
 * endpoint settings from the environment or the shared config file are ignored. Kinesis always gets a `NodeHttpHandler` (HTTP/1.1): kinesalite speaks
 * only HTTP/1.1 and the SDK's Kinesis client otherwise defaults to HTTP/2; real Kinesis serves
 * both, and the data plane uses no HTTP/2-only operation (SubscribeToShard).
 *
 * @example
 * const clients = createAwsClients({ region: 'ap-south-1', endpoints: endpointsFile.endpoints });
 */
export function createAwsClients(target: AwsTarget, options: CreateAwsClientsOptions = {}): AwsClients {
  const { region, endpoints = {} } = validateTarget(target);
  const maxSockets = options.maxSockets ?? 64;
  const agents: Array<Agent | HttpsAgent> = [];
  const handler = (endpoint: string | undefined) => {
    const local = endpoint !== undefined && isLoopbackUrl(endpoint);
    const agent = local
      ? new Agent({ keepAlive: true, maxSockets })
      : new HttpsAgent({ keepAlive: true, maxSockets });
    agents.push(agent);
    return new NodeHttpHandler(local ? { httpAgent: agent } : { httpsAgent: agent });
  };
  const common = (endpoint: string | undefined) => ({
    region,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: handler(endpoint),
    // validateTarget checked every endpoint; the SDK must not find another one by itself.
    ignoreConfiguredEndpointUrls: true,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && isLoopbackUrl(endpoint) ? { credentials: LOCAL_CREDENTIALS } : {}),
  });
  const kinesis = new KinesisClient(common(endpoints.kinesis));
  const dynamodb = new DynamoDBClient(common(endpoints.dynamodb));
  const kms = new KMSClient(common(endpoints.kms));
  if (options.counter) {
    options.counter.attach(kinesis);
    options.counter.attach(dynamodb);
    options.counter.attach(kms);
  }
  return {
    region,
    kinesis,
    dynamodb,
    kms,
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
      kms.destroy();
      for (const agent of agents) agent.destroy();
    },
  };
}
