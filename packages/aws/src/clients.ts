import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { CallCounter } from './call-counter.ts';
import { assertEndpointInRegion, type EndpointCheckOptions, isLoopbackUrl } from './endpoint-policy.ts';
import type { RuntimeEnv } from './lambda-runtime.ts';
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
  /**
   * Longest wait for a new connection, in milliseconds, for every client of the set; 0 turns it
   * off. It also counts the time a request waits for a free socket (see `maxSockets`). Default:
   * {@link DEFAULT_CONNECTION_TIMEOUT_MILLIS} (3000) for AWS endpoints,
   * {@link LOCAL_CONNECTION_TIMEOUT_MILLIS} (10000) for loopback emulators.
   */
  connectionTimeoutMillis?: number;
  /**
   * Longest an attempt may wait for the response headers, and longest its socket may then stay
   * silent while the body arrives, in milliseconds, for every client of the set. A timed-out attempt
   * fails with a `TimeoutError`, which the SDK retries on a new connection (up to `maxAttempts`).
   * 0 leaves the SDK's defaults (no request timeout), for a caller that bounds each call itself
   * with an `abortSignal`. Default: {@link DEFAULT_REQUEST_TIMEOUT_MILLIS} (10000) for AWS
   * endpoints, {@link LOCAL_REQUEST_TIMEOUT_MILLIS} (60000) for loopback emulators.
   */
  requestTimeoutMillis?: number;
  /**
   * The environment of the running process: in a Lambda function loopback endpoints are refused
   * (see `assertLoopbackAllowed`). Default: `process.env`.
   */
  runtimeEnv?: RuntimeEnv;
}

/**
 * Default connection timeout towards AWS. A connection in region takes milliseconds; 3 s covers a
 * lost SYN (retried after 1 s), and a failed attempt is retried by the SDK on a new connection.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MILLIS = 3_000;

/**
 * Default request timeout towards AWS. Without one the SDK waits on a half-open socket until the
 * Lambda function times out: in `@smithy/node-http-handler` 4.x `requestTimeout` defaults to 0
 * (none), and when set it only logs a warning unless `throwOnRequestTimeout` is set too. DynamoDB,
 * Kinesis and KMS answer in milliseconds; three attempts of 10 s stay well inside the ingest's 60 s
 * and the window closer's 120 s function timeouts.
 */
export const DEFAULT_REQUEST_TIMEOUT_MILLIS = 10_000;

/**
 * Default connection timeout towards a loopback emulator. Connecting there is immediate, but the
 * wait for a free socket counts too, and on a busy machine calls queue for seconds (measured on two
 * cores under 200-way concurrency: up to 5 s from send to answer).
 */
export const LOCAL_CONNECTION_TIMEOUT_MILLIS = 10_000;

/**
 * Default request timeout towards a loopback emulator. The emulators are single-threaded processes
 * sharing the machine, and build a whole answer before sending any of it: measured on two cores
 * with five test projects running, a Kinesis emulator took 17 s to answer a GetRecords and dynalite
 * 5.6 s a BatchWriteItem. 60 s keeps that margin and still turns a hung local call into an error.
 */
export const LOCAL_REQUEST_TIMEOUT_MILLIS = 60_000;

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
 * both, and the data plane uses no HTTP/2-only operation (SubscribeToShard). Every call has a
 * connection and a request timeout (see {@link CreateAwsClientsOptions}), so a stuck socket fails
 * the attempt and the SDK retries it, instead of the call waiting until the function times out.
 *
 * @example
 * const clients = createAwsClients({ region: 'ap-south-1', endpoints: endpointsFile.endpoints });
 */
export function createAwsClients(target: AwsTarget, options: CreateAwsClientsOptions = {}): AwsClients {
  const { region, endpoints = {} } = validateTarget(target, options.runtimeEnv);
  const maxSockets = options.maxSockets ?? 64;
  const agents: Array<Agent | HttpsAgent> = [];
  const handler = (endpoint: string | undefined) => {
    const local = endpoint !== undefined && isLoopbackUrl(endpoint);
    const agent = local
      ? new Agent({ keepAlive: true, maxSockets })
      : new HttpsAgent({ keepAlive: true, maxSockets });
    agents.push(agent);
    return new NodeHttpHandler({
      ...(local ? { httpAgent: agent } : { httpsAgent: agent }),
      ...httpTimeouts(options, local),
    });
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

/** The `NodeHttpHandler` timeouts of one client: the options given, else the defaults for where it goes. */
function httpTimeouts(options: CreateAwsClientsOptions, local: boolean): NodeHttpHandlerOptions {
  const connectionTimeout = millisOption(
    options.connectionTimeoutMillis,
    local ? LOCAL_CONNECTION_TIMEOUT_MILLIS : DEFAULT_CONNECTION_TIMEOUT_MILLIS,
    'connectionTimeoutMillis',
  );
  const requestTimeout = millisOption(
    options.requestTimeoutMillis,
    local ? LOCAL_REQUEST_TIMEOUT_MILLIS : DEFAULT_REQUEST_TIMEOUT_MILLIS,
    'requestTimeoutMillis',
  );
  if (requestTimeout === 0) return { connectionTimeout };
  return {
    connectionTimeout,
    requestTimeout,
    // Without it a passed request timeout is only a logged warning, and the call keeps waiting.
    throwOnRequestTimeout: true,
    // The request timeout ends when the headers arrive; a body that stops arriving is caught here.
    socketTimeout: requestTimeout,
  };
}

function millisOption(value: number | undefined, fallback: number, name: string): number {
  const millis = value ?? fallback;
  if (!Number.isSafeInteger(millis) || millis < 0) {
    throw new RangeError(`${name} must be a whole number of milliseconds, 0 or more`);
  }
  return millis;
}
