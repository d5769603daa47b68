import {
  assertLoopbackAllowed,
  ConfigurationError,
  isLoopbackUrl,
  LOOPBACK_IN_LAMBDA_OVERRIDE,
  localModeAllowed,
  parseArn,
  type RuntimeEnv,
} from '@residency/aws';
import type { BaseConfig } from '../config/env.ts';

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Precondition: every table is a DynamoDB table name (or the ARN of a DynamoDB table) and every
 * stream a Kinesis stream name (or stream ARN). A value that is neither (`ARN:...`, a name with a
 * space, another service's ARN) would otherwise skip the static region check and reach AWS as a
 * name. Throws `ConfigurationError` naming the setting.
 */
export function assertResourceSettings(config: Pick<BaseConfig, 'tables' | 'streams'>): void {
  const check = (refs: BaseConfig['tables'], service: string, kind: string, name: RegExp) => {
    for (const [setting, ref] of Object.entries(refs)) {
      if (ref.arn !== undefined) {
        const arn = parseArn(ref.arn, setting);
        if (arn.service !== service || !arn.resource.startsWith(`${kind}/`)) {
          throw new ConfigurationError(`${setting} is an ARN, but not of a ${service} ${kind}`, setting);
        }
      }
      if (!name.test(ref.name)) {
        throw new ConfigurationError(
          `${setting} is not a ${service} ${kind} name or ARN (letters, digits, '_', '.', '-')`,
          setting,
        );
      }
    }
  };
  check(config.tables, 'dynamodb', 'table', TABLE_NAME);
  check(config.streams, 'kinesis', 'stream', STREAM_NAME);
}

/**
 * Precondition: a Lambda function (see `isLambdaRuntime`) runs without local mode: no
 * `RESIDENCY_ENDPOINTS_FILE` and no loopback `AWS_ENDPOINT_URL*`, unless
 * `RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA=true` (a local Lambda emulator). Checked against the
 * environment the function was given, before any client exists. Throws `ConfigurationError`
 * naming the setting.
 */
export function assertNoLocalModeInLambda(config: Pick<BaseConfig, 'endpointEnv'>, env: RuntimeEnv): void {
  if (localModeAllowed(env)) return;
  const { RESIDENCY_ENDPOINTS_FILE, ...endpoints } = config.endpointEnv;
  if (RESIDENCY_ENDPOINTS_FILE !== undefined) {
    throw new ConfigurationError(
      `RESIDENCY_ENDPOINTS_FILE is set (local mode), but this is a Lambda function; remove it, or set ${LOOPBACK_IN_LAMBDA_OVERRIDE}=true only in a local Lambda emulator; refusing to run`,
      'RESIDENCY_ENDPOINTS_FILE',
    );
  }
  for (const [setting, url] of Object.entries(endpoints)) {
    if (url !== undefined && isLoopbackUrl(url)) assertLoopbackAllowed(setting, 'AWS', env);
  }
}
