import {
  ConfigurationError,
  LOOPBACK_IN_LAMBDA_OVERRIDE,
  localModeAllowed,
  type RuntimeEnv,
} from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/**
 * Cold-start precondition: a Lambda function (see `isLambdaRuntime` of `@residency/aws`) runs
 * without `RESIDENCY_LOCAL_MODE`, unless `RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA` is exactly `true` (a
 * local Lambda emulator next to the local stack, which nothing on AWS sets). Local mode relaxes
 * what the forwarder accepts: plain http to a loopback origin, the signing key from a file instead
 * of an SSM SecureString, no `AWS_REGION`. On AWS it is a local setting left on, and it is refused
 * as the ingest refuses its own local mode (`assertNoLocalModeInLambda` of the pipeline), under the
 * same override. `runtimeEnv` is the environment the function runs in (Lambda's reserved variables
 * are there). Throws `ConfigurationError` naming `RESIDENCY_LOCAL_MODE`, before any client exists.
 *
 * @example assertLocalModeAllowed(env, process.env)
 */
export function assertLocalModeAllowed(
  env: Pick<ForwarderEnv, 'RESIDENCY_LOCAL_MODE'>,
  runtimeEnv: RuntimeEnv,
): void {
  if (!env.RESIDENCY_LOCAL_MODE || localModeAllowed(runtimeEnv)) return;
  throw new ConfigurationError(
    'RESIDENCY_LOCAL_MODE is set (local mode: plain http to loopback, the signing key from a file), ' +
      'but this is a Lambda function (AWS_LAMBDA_FUNCTION_NAME or AWS_EXECUTION_ENV is set); remove it, ' +
      `or set ${LOOPBACK_IN_LAMBDA_OVERRIDE}=true only in a local Lambda emulator; refusing to run`,
    'RESIDENCY_LOCAL_MODE',
  );
}
