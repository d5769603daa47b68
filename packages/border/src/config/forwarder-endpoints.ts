import {
  type ClientEndpointConfig,
  clientEndpointConfig,
  configuredEndpoint,
  type RuntimeEnv,
} from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/** The endpoints of the forwarder's SDK clients, checked; see {@link forwarderEndpoints}. */
export interface ForwarderEndpoints {
  /** The quarantine's and egress log's client, and the cold-start DescribeTable calls. */
  dynamodb: ClientEndpointConfig;
  /** The signing key's GetParameter. */
  ssm: ClientEndpointConfig;
  /** Only the cold-start DescribeStreamSummary of the outbox (the event source mapping reads it). */
  kinesis: ClientEndpointConfig;
  /** Only the cold-start DescribeKey of `KEY_ARN`. */
  kms: ClientEndpointConfig;
}

/**
 * The environment the forwarder runs in: the process environment, overridden by the one
 * `createForwarderFromEnv` was given (the very object when it was given `process.env`). The SDK reads
 * its endpoint settings there, and Lambda sets its reserved variables there
 * (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_EXECUTION_ENV`), so a caller's copy of the environment that
 * leaves them out is still told apart as a Lambda function (`isLambdaRuntime` of `@residency/aws`).
 *
 * @example assertLocalModeAllowed(env, forwarderRuntimeEnv(environment))
 */
export function forwarderRuntimeEnv(environment: NodeJS.ProcessEnv): RuntimeEnv {
  return environment === process.env ? environment : { ...process.env, ...environment };
}

/**
 * Precondition: every endpoint the forwarder's clients use is loopback (never in a Lambda function,
 * unless `RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA=true`: `assertLoopbackAllowed` of `@residency/aws`) or
 * an AWS endpoint of the data region. DynamoDB: `DYNAMODB_ENDPOINT`, else the SDK's
 * `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`; SSM, Kinesis and KMS:
 * `AWS_ENDPOINT_URL_SSM`, `_KINESIS`, `_KMS`, else `AWS_ENDPOINT_URL`. The SDK's variables are read
 * where the SDK reads them (the process environment, overridden by `environment`:
 * {@link forwarderRuntimeEnv}), and that environment tells a Lambda function; the clients then
 * ignore every configured endpoint and use only these. A refusal names the setting, never a
 * password in it.
 *
 * @example new SSMClient({ region: env.DATA_REGION, ...forwarderEndpoints(env, process.env).ssm })
 */
export function forwarderEndpoints(env: ForwarderEnv, environment: NodeJS.ProcessEnv): ForwarderEndpoints {
  const sdkEnv = forwarderRuntimeEnv(environment);
  const checked = (service: string, configured: { setting: string; url: string } | undefined) =>
    clientEndpointConfig(env.DATA_REGION, service, configured?.url, {
      setting: configured?.setting,
      runtimeEnv: sdkEnv,
    });
  return {
    dynamodb: checked(
      'dynamodb',
      env.DYNAMODB_ENDPOINT
        ? { setting: 'DYNAMODB_ENDPOINT', url: env.DYNAMODB_ENDPOINT }
        : configuredEndpoint(sdkEnv, 'DynamoDB'),
    ),
    ssm: checked('ssm', configuredEndpoint(sdkEnv, 'SSM')),
    kinesis: checked('kinesis', configuredEndpoint(sdkEnv, 'Kinesis')),
    kms: checked('kms', configuredEndpoint(sdkEnv, 'KMS')),
  };
}
