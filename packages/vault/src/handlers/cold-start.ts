import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { VaultConfigurationError } from '../errors.ts';

/**
 * Whether a cold-start failure is a fact of the configuration, which no retry can change: a
 * missing or malformed setting (`ConfigurationError`), a resource, client or endpoint outside the
 * data region or account (`RegionMismatchError`, `ConfigurationError`), an unusable vault option
 * (`VaultConfigurationError`). One rule for every function's cold start: {@link createColdStart}
 * remembers these and retries anything else.
 *
 * @example if (!isConfigurationFailure(error)) starting = undefined; // try again next time
 */
export function isConfigurationFailure(error: unknown): boolean {
  return (
    error instanceof ConfigurationError ||
    error instanceof RegionMismatchError ||
    error instanceof VaultConfigurationError
  );
}

/** Options of {@link createColdStart}. */
export interface ColdStartOptions {
  /**
   * Start at once (at import, in Lambda's init phase) instead of at the first call. An eager
   * attempt that fails before anyone calls is handled, never an unhandled rejection. Default: false.
   */
  readonly eager?: boolean;
  /**
   * Told of each failed attempt, once, and whether it is `remembered` (a configuration failure,
   * which every later call gets) or forgotten (the next call starts again). Must not throw.
   * Default: none (silent).
   */
  readonly onFailure?: (error: unknown, remembered: boolean) => void;
}

/**
 * A function's cold start, once per execution environment: every call gets the same attempt. A
 * configuration failure ({@link isConfigurationFailure}) is remembered, and every later call then
 * fails with it; any other failure (a throttled DescribeStreamSummary, a timeout, a KMS hiccup)
 * fails only the calls waiting for that attempt, and the next call starts again. Lambda resets an
 * environment only when it crashes, times out or fails its init phase, not when a handler rejects,
 * so a remembered transient failure would refuse every later request of the environment.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 *
 * @example const ready = createColdStart(() => createVaultAdminFromEnv(process.env)); const admin = await ready();
 */
export function createColdStart<T>(
  start: () => Promise<T>,
  options: ColdStartOptions = {},
): () => Promise<T> {
  let starting: Promise<T> | undefined;
  const get = (): Promise<T> => {
    if (starting) return starting;
    // A synchronous throw becomes a rejection, handled like any other failed attempt.
    const attempt = new Promise<T>((resolve) => resolve(start()));
    starting = attempt;
    // Registered before any caller awaits the attempt, so the next call already starts again, and
    // an attempt nobody awaits (an eager one) has its rejection handled.
    attempt.catch((error: unknown) => {
      const remembered = isConfigurationFailure(error);
      if (!remembered && starting === attempt) starting = undefined;
      options.onFailure?.(error, remembered);
    });
    return attempt;
  };
  if (options.eager) void get();
  return get;
}
