import { ConfigurationError, RegionMismatchError } from '@residency/aws';
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

const NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const CODE = /^[A-Z][A-Za-z0-9_]{0,63}$/;
const SETTING = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

/** What {@link describeError} says about an error: nothing in it came from a request. */
export interface SafeErrorDescription {
  /** The error's class name (`VaultStoreError`, `ResourceNotFoundException`), or `typeof` a non-error. */
  errorName: string;
  /** The message for errors known to build it from safe parts; otherwise a fixed placeholder. */
  message: string;
  /** The AWS error code (`Code`) or Node system error code (`ECONNREFUSED`), when it has one. */
  errorCode?: string;
  /** The HTTP status of an AWS error. */
  httpStatus?: number;
  /** The setting a configuration error names (`KEY_ARN`, `tableName`). */
  setting?: string;
}

/** The message shown for errors whose own message may quote their input. */
export const WITHHELD_MESSAGE = 'details withheld (the message may quote its input)';

/**
 * What of an error may be logged, printed or returned: its name, codes, the setting it names, and
 * its message only for the classes that never put request input in one. Never a field, a token
 * or a cause. Like `describeError` in the pipeline (`packages/pipeline/src/support/safe-error.ts`),
 * which the vault cannot import (the pipeline depends on the vault), plus the safe message.
 *
 * @example describeError(new VaultStoreError('DynamoDB GetItem on vault failed', 'GetItem')).message
 */
export function describeError(error: unknown): SafeErrorDescription {
  if (!(error instanceof Error))
    return { errorName: error === null ? 'null' : typeof error, message: WITHHELD_MESSAGE };
  const loose = error as Error & {
    Code?: unknown;
    code?: unknown;
    setting?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const safe = SAFE_MESSAGE_CLASSES.some((type) => error instanceof type);
  const code = typeof loose.Code === 'string' ? loose.Code : loose.code;
  const status = loose.$metadata?.httpStatusCode;
  return {
    errorName: safeErrorName(error),
    message: safe ? error.message : WITHHELD_MESSAGE,
    ...(typeof code === 'string' && CODE.test(code) ? { errorCode: code } : {}),
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
    ...(safe && typeof loose.setting === 'string' && SETTING.test(loose.setting)
      ? { setting: loose.setting }
      : {}),
  };
}

/** An error's class name if it looks like one, else `Error` (`typeof` for a non-error). */
export function safeErrorName(error: unknown): string {
  if (!(error instanceof Error)) return error === null ? 'null' : typeof error;
  return NAME.test(error.name) ? error.name : 'Error';
}

/**
 * A fresh error to throw in place of `error` where the Lambda runtime (or any logger) will
 * serialize it: the same name, the {@link describeError} message, the original stack frames (code
 * locations only, the first line rebuilt), and no other enumerable property than `name`,
 * `errorCode`, `httpStatus` and `setting`: no cause, no fields, no tokens.
 *
 * @example catch (error) { throw toSafeError(error); }
 */
export function toSafeError(error: unknown): Error {
  const { errorName, message, ...rest } = describeError(error);
  const safe = new Error(message);
  safe.name = errorName;
  const frames =
    error instanceof Error && typeof error.stack === 'string'
      ? error.stack.split('\n').filter((line) => /^\s+at /.test(line))
      : [];
  safe.stack = [`${errorName}: ${message}`, ...frames].join('\n');
  return Object.assign(safe, rest);
}
