/** One problem with one field of an event; `message` never contains the field's value. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `phone` or `items.0.code`. */
  path: string;
  /** Stable machine-readable code, e.g. `invalid_type`, `invalid_phone`, `unknown_type`. */
  code: string;
  /** Human-readable reason, without the value. */
  message: string;
}

/** An event failed validation. Carries field names and reasons only, never values. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    readonly issues: readonly FieldIssue[],
    readonly eventType?: string,
  ) {
    super(
      `invalid${eventType ? ` ${eventType}` : ''} event: ${issues.map((i) => `${i.path || '(event)'}: ${i.message}`).join('; ')}`,
    );
  }
}

/** A catalog is not usable: an unclassified field, a missing generalizer, a duplicate type. Raised at startup. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    message: string,
    readonly eventType?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The mapping needed a token the token port did not return. A bug in the adapter, never silently skipped. */
export class MissingTokenError extends Error {
  override readonly name = 'MissingTokenError';
  constructor(
    readonly eventType: string,
    readonly field: string,
  ) {
    super(`no token for field '${field}' of ${eventType}`);
  }
}
