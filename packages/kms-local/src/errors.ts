/**
 * Error codes this endpoint answers with, spelled as AWS KMS spells them on the wire (`__type`).
 * https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and each operation's
 * "Errors" section.
 */
export type KmsErrorCode =
  | 'AlreadyExistsException'
  | 'DisabledException'
  | 'DryRunOperationException'
  | 'IncompleteSignatureException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidArnException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
  | 'InvalidSignatureException'
  | 'KMSInternalException'
  | 'KMSInvalidMacException'
  | 'KMSInvalidStateException'
  | 'MissingAuthenticationTokenException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

/**
 * An error a KMS client is meant to see: the server turns it into AWS's JSON 1.1 error shape,
 * HTTP `statusCode` with body `{"__type": code, "message": message}` and header `x-amzn-ErrorType`.
 * Messages never carry key material, plaintexts or data keys.
 *
 * @example throw new KmsApiError('NotFoundException', `Key '${arn}' does not exist`);
 */
export class KmsApiError extends Error {
  override readonly name = 'KmsApiError';
  constructor(
    readonly code: KmsErrorCode,
    message: string,
    readonly statusCode = code === 'KMSInternalException' ? 500 : 400,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Raised at start-up for options that cannot be used (bad region name, missing data directory). */
export class KmsConfigurationError extends Error {
  override readonly name = 'KmsConfigurationError';
  constructor(
    message: string,
    readonly setting?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Raised when the key store on disk cannot be used: the master key file is missing, the wrong
 * size or readable by others, or keys.json does not parse. The server fails closed.
 */
export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
