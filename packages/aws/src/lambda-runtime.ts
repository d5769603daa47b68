import { ConfigurationError } from './errors.ts';

/** An environment as the process sees it (`process.env`, or a copy for a test). */
export type RuntimeEnv = Readonly<Record<string, string | undefined>>;

/**
 * The variable that lets a Lambda runtime use loopback endpoints: exactly `true`, for a local Lambda
 * emulator that runs the function next to the local stack. Nothing on AWS sets it.
 */
export const LOOPBACK_IN_LAMBDA_OVERRIDE = 'RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA';

/**
 * True when the process is a Lambda function: Lambda sets `AWS_LAMBDA_FUNCTION_NAME` and
 * `AWS_EXECUTION_ENV` (`AWS_Lambda_<runtime>`), reserved variables a deployment cannot set.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 *
 * @example isLambdaRuntime(process.env)
 */
export function isLambdaRuntime(env: RuntimeEnv): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) || (env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');
}

/**
 * True when the process may use local mode (loopback endpoints, local settings): it is not a Lambda
 * function, or {@link LOOPBACK_IN_LAMBDA_OVERRIDE} is exactly `true` (a local Lambda emulator).
 *
 * @example if (!localModeAllowed(process.env)) throw ...
 */
export function localModeAllowed(env: RuntimeEnv): boolean {
  return !isLambdaRuntime(env) || env[LOOPBACK_IN_LAMBDA_OVERRIDE] === 'true';
}

/**
 * Precondition for a loopback endpoint: the process is not a Lambda function, or
 * {@link LOOPBACK_IN_LAMBDA_OVERRIDE} is `true`. On AWS nothing of ours listens on loopback; an
 * endpoint there is local mode left on (`RESIDENCY_ENDPOINTS_FILE`, `AWS_ENDPOINT_URL*`), and
 * whatever does listen there (an extension, say) would get the vault's traffic over plain http.
 * Throws `ConfigurationError` naming `setting`.
 */
export function assertLoopbackAllowed(setting: string, service: string, env: RuntimeEnv): void {
  if (localModeAllowed(env)) return;
  throw new ConfigurationError(
    `${setting}: the ${service} endpoint is loopback (the local runtime), but this is a Lambda function ` +
      `(AWS_LAMBDA_FUNCTION_NAME or AWS_EXECUTION_ENV is set); remove the local endpoint settings, or set ` +
      `${LOOPBACK_IN_LAMBDA_OVERRIDE}=true only in a local Lambda emulator; refusing to run`,
    setting,
  );
}
