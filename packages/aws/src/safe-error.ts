// A class name or an error code is matched before it is repeated: `name` and `code` are plain
// properties that anything may have set, and an error from a parse can carry its input anywhere.
const NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const CODE = /^[A-Z][A-Za-z0-9_]{0,63}$/;

/**
 * What {@link describeError} says about an error: nothing in it came from the input it failed on.
 * A type, not an interface, so that it passes as a logger's `Record<string, unknown>` attributes.
 */
export type ErrorFacts = {
  /** The error's class name (`VaultStoreError`, `ResourceNotFoundException`), or `typeof` a non-error. */
  errorName: string;
  /** The AWS error code (`Code`) or Node system error code (`ECONNREFUSED`), when it has one. */
  errorCode?: string;
  /** The HTTP status of an AWS error. */
  httpStatus?: number;
};

/**
 * What of an error may be logged anywhere: its class name, its AWS or Node error code, the HTTP
 * status of an AWS error. Never its message (an SDK's, zod's or a bug's message can quote the
 * input it choked on, and inputs here are personal data), a field or a cause. A name or code that
 * does not look like one is left out (`Error` for the name). Packages that know some of their
 * messages to be safe add them on top (the vault's `describeError`).
 *
 * @example logger.warn('outbox write failed; the batch will be retried', describeError(error));
 */
export function describeError(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { errorName: safeErrorName(error) };
  const loose = error as Error & { Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const code = typeof loose.Code === 'string' ? loose.Code : loose.code;
  const status = loose.$metadata?.httpStatusCode;
  return {
    errorName: safeErrorName(error),
    ...(typeof code === 'string' && CODE.test(code) ? { errorCode: code } : {}),
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
  };
}

/**
 * An error's class name if it looks like one, else `Error`; for a non-error, `typeof` it (`null`
 * for null).
 *
 * @example safeErrorName(new TypeError('x')) // 'TypeError'
 */
export function safeErrorName(error: unknown): string {
  if (!(error instanceof Error)) return error === null ? 'null' : typeof error;
  return NAME.test(error.name) ? error.name : 'Error';
}
