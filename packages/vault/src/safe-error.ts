import {
  ConfigurationError,
  describeError as describeErrorFacts,
  type ErrorFacts,
  RegionMismatchError,
} from '@residency/aws';
import {
  AmbiguousSubjectError,
  AuditWriteError,
  DecryptionError,
  ErasureNoticeDeliveryError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  KeyServiceError,
  OutboxWriteError,
  UnauthorizedError,
  VaultConfigurationError,
  VaultStoreError,
} from './errors.ts';

export { safeErrorName } from '@residency/aws';

/**
 * Errors whose messages are built from fixed text, settings, ARNs, counts and ids the vault made,
 * never from a request: the vault's own (see errors.ts) and the configuration errors of
 * `@residency/aws`. Any other message (the SDK's, zod's, a bug's) may quote its input.
 */
const SAFE_MESSAGE_CLASSES: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  AmbiguousSubjectError,
  AuditWriteError,
  ConfigurationError,
  DecryptionError,
  ErasureNoticeDeliveryError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  KeyServiceError,
  OutboxWriteError,
  RegionMismatchError,
  UnauthorizedError,
  VaultConfigurationError,
  VaultStoreError,
];

const SETTING = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

/**
 * What {@link describeError} says about an error: nothing in it came from a request. The name,
 * codes and status are `describeError` of `@residency/aws`, the one the pipeline logs.
 */
export interface SafeErrorDescription extends ErrorFacts {
  /** The message for errors known to build it from safe parts; otherwise a fixed placeholder. */
  message: string;
  /** The setting a configuration error names (`KEY_ARN`, `tableName`). */
  setting?: string;
}

/** The message shown for errors whose own message may quote their input. */
export const WITHHELD_MESSAGE = 'details withheld (the message may quote its input)';

/**
 * What of an error may be logged, printed or returned: its name, codes and HTTP status (the
 * shared `describeError` of `@residency/aws`), the setting it names, and its message only for the
 * classes that never put request input in one. Never a field, a token or a cause. The message is
 * what the vault adds: it throws a {@link toSafeError} copy in place of an error, and the CLI
 * prints one, where the pipeline only logs.
 *
 * @example describeError(new VaultStoreError('DynamoDB GetItem on vault failed', 'GetItem')).message
 */
export function describeError(error: unknown): SafeErrorDescription {
  const facts = describeErrorFacts(error);
  const safe = hasSafeMessage(error);
  const setting = (error as { setting?: unknown } | null | undefined)?.setting;
  return {
    ...facts,
    message: safe ? (error as Error).message : WITHHELD_MESSAGE,
    ...(safe && typeof setting === 'string' && SETTING.test(setting) ? { setting } : {}),
  };
}

/** Whether an error is of a class that builds its message from safe parts only. */
function hasSafeMessage(error: unknown): error is Error {
  return error instanceof Error && SAFE_MESSAGE_CLASSES.some((type) => error instanceof type);
}

/** Options of {@link toSafeError}. */
export interface ToSafeErrorOptions {
  /**
   * The message in place of one that is withheld: fixed text that says what failed, for a caller
   * that knows (it must quote nothing of a request). Default: {@link WITHHELD_MESSAGE}.
   */
  withheldMessage?: string;
}

/**
 * A fresh error to throw in place of `error` where the Lambda runtime (or any logger) will
 * serialize it: the same name, the {@link describeError} message (or `withheldMessage` where that
 * is withheld), the original stack frames (code locations only, the first line rebuilt), and no
 * other enumerable property than `name`, `errorCode`, `httpStatus` and `setting`: no cause, no
 * fields, no tokens.
 *
 * @example catch (error) { throw toSafeError(error); }
 */
export function toSafeError(error: unknown, options: ToSafeErrorOptions = {}): Error {
  const { errorName, message: described, ...rest } = describeError(error);
  const message = hasSafeMessage(error) ? described : (options.withheldMessage ?? described);
  const safe = new Error(message);
  safe.name = errorName;
  const frames =
    error instanceof Error && typeof error.stack === 'string'
      ? error.stack.split('\n').filter((line) => /^\s+at /.test(line))
      : [];
  safe.stack = [`${errorName}: ${message}`, ...frames].join('\n');
  return Object.assign(safe, rest);
}
