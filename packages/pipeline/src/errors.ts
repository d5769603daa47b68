/** The event a handler received is not a Kinesis event (a wiring bug, not bad data). Names the record and field only. */
export class KinesisEnvelopeError extends Error {
  override readonly name = 'KinesisEnvelopeError';
  constructor(readonly issues: ReadonlyArray<{ path: string; code: string }>) {
    super(`not a Kinesis event: ${issues.map((i) => `${i.path || '(event)'} ${i.code}`).join('; ')}`);
  }
}

/** A sealed payload does not open: wrong context, tampered bytes or wrong key. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * The epsilon a window's ledger holds (the one its noise must be drawn with) cannot be drawn for
 * the catalog's metrics, so the window cannot be released. Carries the window and the epsilon only.
 */
export class LedgerEpsilonError extends Error {
  override readonly name = 'LedgerEpsilonError';
  constructor(
    readonly windowKey: string,
    readonly epsilon: number,
    reason: string,
    readonly eventType?: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(`window ${windowKey}: the epsilon ${epsilon} in its ledger is not usable (${reason})`, options);
  }
}
