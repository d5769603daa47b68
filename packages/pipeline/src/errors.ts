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
