/**
 * Errors of the vault. Messages and enumerable fields never carry identifiers, plaintexts, keys,
 * tokens or anything else the caller sent: only fixed text, counts, ids the vault made and names
 * of settings. The Lambda runtime logs every enumerable property of an error a handler throws
 * (and JSON.stringify, loggers and `util.inspect` print them too), so a token an error must carry
 * for its caller is a non-enumerable property: readable by code, never serialized.
 */

/** Defines `key` on `target` as a read-only, non-enumerable property (kept out of logs and JSON). */
function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: false });
}

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

/**
 * A tokenize, lookup or re-index request is malformed (kind not usable in the item layout, empty
 * value, not a vault token, not two index versions). The message is fixed text: never the kind,
 * value or token that was refused.
 */
export class InvalidTokenRequestError extends Error {
  override readonly name = 'InvalidTokenRequestError';
  /**
   * The request's kind, only when it matched `KIND_PATTERN` and came from the event catalog
   * (tokenize); never a kind a caller typed (a swapped `KIND:VALUE` puts the value there).
   * Absent otherwise (not even an `undefined` property).
   */
  declare readonly kind?: string;
  constructor(message: string, kind?: string) {
    super(message);
    if (kind !== undefined) Object.defineProperty(this, 'kind', { value: kind, enumerable: true });
  }
}

/** A ciphertext did not decrypt: wrong key, wrong encryption context, or tampered bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  /** Token whose entry failed, when known. Not enumerable: a token never goes to a log. */
  declare readonly token?: string;
  constructor(message: string, token?: string, options?: ErrorOptions) {
    super(message, options);
    hide(this, 'token', token);
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

/**
 * The actor may not perform the action. The attempt was audited. Neither the message nor a field
 * names the actor: it is the caller's text (and was once a phone number typed in the wrong place).
 */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  constructor(
    /** The refused action, e.g. `detokenize`. */
    readonly action: string,
  ) {
    super(`the actor is not authorized to ${action}`);
  }
}

/** Which part of an access request was refused, and why (never the text itself). */
export interface AccessIssue {
  field: 'actor' | 'purpose';
  /** `missing` (absent or blank), `pattern` (characters or length not allowed), `pii` (the PII scan or the digit-run rule fired). */
  code: 'missing' | 'pattern' | 'pii';
  /** With `pii`: the rules that fired, e.g. `phone` (the core scan), `digits` (a long digit run in a purpose). */
  rules?: readonly string[];
}

/**
 * The actor or the purpose of an admin call was refused: not a principal name, not a short
 * reason, or something the PII scan reads as personal data. Audited (outcome `invalid`, the
 * actor as a digest and a shape only); the message and fields name fields and rules, never text.
 */
export class InvalidAccessRequestError extends Error {
  override readonly name = 'InvalidAccessRequestError';
  constructor(readonly issues: readonly AccessIssue[]) {
    super(`access request refused: ${issues.map(describeAccessIssue).join('; ')}`);
  }
}

function describeAccessIssue(issue: AccessIssue): string {
  if (issue.code === 'missing') return `${issue.field} is required`;
  if (issue.code === 'pii')
    return `${issue.field} looks like personal data (${(issue.rules ?? []).join(', ')})`;
  return issue.field === 'actor'
    ? 'actor is not a principal name (a letter, then letters, digits and _+=,.@:/-)'
    : 'purpose is not a short reason (letters, digits, space and -_/.:#, at most 128)';
}

/**
 * A contact identifier is linked to more than one subject (a family sharing a phone), so
 * erasing or exporting "its" subject would touch someone else's data. Ask again by token.
 */
export class AmbiguousSubjectError extends Error {
  override readonly name = 'AmbiguousSubjectError';
  /** The contact's token. Not enumerable: tokens never go to a log. */
  declare readonly contactToken: string;
  /** The subjects it is linked to (for the caller to choose from). Not enumerable. */
  declare readonly subjectTokens: readonly string[];
  constructor(contactToken: string, subjectTokens: readonly string[]) {
    super(`the contact is linked to ${subjectTokens.length} subjects; name the subject by token`);
    hide(this, 'contactToken', contactToken);
    hide(this, 'subjectTokens', Object.freeze([...subjectTokens]));
  }
}

/**
 * The erasure notice could not be handed to the sink. The notice goes out before anything is
 * deleted, so nothing was erased: erase again (a new notice is made).
 */
export class ErasureNoticeDeliveryError extends Error {
  override readonly name = 'ErasureNoticeDeliveryError';
  /** The notice id (a random UUID the vault made, no personal data). */
  readonly noticeId: string;
  /** The notice that was not delivered (tokens only). Not enumerable: tokens never go to a log. */
  declare readonly notice: { noticeId: string; tokens: readonly string[] };
  constructor(notice: { noticeId: string; tokens: readonly string[] }, options?: ErrorOptions) {
    super(
      `erasure notice ${notice.noticeId} was not delivered; nothing was erased, run erase again`,
      options,
    );
    this.noticeId = notice.noticeId;
    hide(this, 'notice', notice);
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
