/**
 * Errors of the vault. Messages and fields never carry identifiers, plaintexts or keys: only
 * kinds, tokens (pseudonyms), counts and names of settings.
 */

/** The vault's configuration cannot be used (bad option, ARN outside the data region, ...). */
export class VaultConfigurationError extends Error {
  override readonly name = 'VaultConfigurationError';
  constructor(
    message: string,
    /** Name of the offending option, e.g. `writeConcurrency`. */
    readonly setting: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A tokenize request is malformed (kind not usable in the item layout, empty value). */
export class InvalidTokenRequestError extends Error {
  override readonly name = 'InvalidTokenRequestError';
  constructor(
    message: string,
    /** The request's kind (never its value). */
    readonly kind: string,
  ) {
    super(message);
  }
}

/** A ciphertext did not decrypt: wrong key, wrong encryption context, or tampered bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor(
    message: string,
    /** Token whose entry failed, when known. */
    readonly token?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A call to the key service (KMS) failed. */
export class KeyServiceError extends Error {
  override readonly name = 'KeyServiceError';
  constructor(
    message: string,
    /** The operation, e.g. `GenerateDataKey`. */
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A call to the vault store (DynamoDB) failed after retries. */
export class VaultStoreError extends Error {
  override readonly name = 'VaultStoreError';
  constructor(
    message: string,
    /** The operation, e.g. `BatchGetItem`. */
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The audit log could not be written. Nothing was revealed or changed. */
export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
  constructor(
    message: string,
    /** The audited action, e.g. `detokenize`. */
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The actor may not perform the action. The attempt was audited. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  constructor(
    readonly actor: string,
    readonly action: string,
  ) {
    super(`actor '${actor}' is not authorized to ${action}`);
  }
}

/**
 * A contact identifier is linked to more than one subject (a family sharing a phone), so
 * erasing or exporting "its" subject would touch someone else's data. Ask again by token.
 */
export class AmbiguousSubjectError extends Error {
  override readonly name = 'AmbiguousSubjectError';
  constructor(
    /** The contact's token. */
    readonly contactToken: string,
    /** The subjects it is linked to. */
    readonly subjectTokens: readonly string[],
  ) {
    super(
      `contact ${contactToken} is linked to ${subjectTokens.length} subjects (${subjectTokens.join(', ')}); name the subject by token`,
    );
  }
}

/**
 * The erasure notice could not be handed to the sink. The notice goes out before anything is
 * deleted, so nothing was erased: erase again (a new notice is made).
 */
export class ErasureNoticeDeliveryError extends Error {
  override readonly name = 'ErasureNoticeDeliveryError';
  constructor(
    /** The notice that was not delivered (tokens only). */
    readonly notice: { noticeId: string; tokens: readonly string[] },
    options?: ErrorOptions,
  ) {
    super(
      `erasure notice ${notice.noticeId} was not delivered; nothing was erased, run erase again`,
      options,
    );
  }
}

/** The outbox stream refused a record (PutRecords reported it failed). */
export class OutboxWriteError extends Error {
  override readonly name = 'OutboxWriteError';
  constructor(
    message: string,
    /** The outbox stream. */
    readonly streamName: string,
    /** The record's error code, e.g. `ProvisionedThroughputExceededException`. */
    readonly errorCode: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
