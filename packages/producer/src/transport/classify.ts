import { TransportError } from '../errors.ts';

// Per-record codes PutRecords returns (ProvisionedThroughputExceededException, InternalFailure)
// and call-level codes that a later attempt can get past. KMS throttling surfaces on streams
// with server-side encryption.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html#API_PutRecords_Errors
const RETRYABLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  // Our own request timeout aborts the call: the outcome is unknown, so try again.
  'AbortError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

// Codes no retry can fix: a missing or deleting stream, no permission, a disabled or missing KMS
// key, a malformed request. Failing fast reports them while the cause is still fresh.
const PERMANENT_CODES = new Set([
  'ResourceNotFoundException',
  'ResourceInUseException',
  'AccessDeniedException',
  'InvalidArgumentException',
  'ValidationException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'RegionMismatchError',
  'ConfigurationError',
]);

// Error codes are words (ProvisionedThroughputExceededException, ECONNRESET). A "code" with digits,
// spaces, '@', '+' or '-' came from somewhere else (a hostile transport, a middleware quoting the
// request) and could carry an identifier into reports, `onFailure` and logs.
const SAFE_CODE = /^[A-Za-z]{1,64}$/;

/**
 * The code itself when it is a plain word of letters, else `Unknown`: error codes end up in
 * reports, `DeliveryFailedError` messages and logs, which must never carry event values.
 *
 * @example safeErrorCode('InternalFailure') // 'InternalFailure'; safeErrorCode('P-0004711') // 'Unknown'
 */
export function safeErrorCode(code: unknown): string {
  return typeof code === 'string' && SAFE_CODE.test(code) ? code : 'Unknown';
}

/** Whether a per-record error code is worth another attempt. Unknown codes are retried (until the deadline). */
export function isRetryableRecordCode(code: string): boolean {
  return !PERMANENT_CODES.has(code);
}

/**
 * Translates whatever a transport call threw into a {@link TransportError}. SDK exceptions carry
 * `name` and `$metadata.httpStatusCode`; socket errors carry `code`. Unknown 4xx are permanent,
 * everything else (5xx, network, unknown) is retryable. Only an answer with an HTTP status is
 * definite (nothing written); after a network error the records may or may not be on the stream.
 */
export function toTransportError(error: unknown): TransportError {
  try {
    if (error instanceof TransportError) {
      const code = safeErrorCode(error.code);
      return code === error.code
        ? error
        : new TransportError(code, error.retryable, error.definite, { cause: error });
    }
    return classify(error);
  } catch {
    // A thrown Proxy or getter: nothing definite is known about the call.
    return new TransportError('Unknown', true, false);
  }
}

function classify(error: unknown): TransportError {
  const e = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const code = safeErrorCode(typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : e.name);
  const status = e.$metadata?.httpStatusCode;
  let retryable: boolean;
  if (RETRYABLE_CODES.has(code) || e.$retryable) retryable = true;
  else if (PERMANENT_CODES.has(code)) retryable = false;
  else retryable = status === undefined || status >= 500 || status === 429;
  return new TransportError(code, retryable, typeof status === 'number', { cause: error });
}
