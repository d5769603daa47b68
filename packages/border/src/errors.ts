/**
 * The forwarder was asked to send somewhere other than its allowlisted control-plane origin, or
 * over a channel the policy forbids (plain http off loopback, http outside local mode). Raised
 * before any socket is opened. Carries the refused origin (never a body).
 */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  constructor(
    message: string,
    readonly destination: string,
  ) {
    super(message);
  }
}

/** The border is configured in a way it cannot run with (bad origin, missing setting). Raised at cold start. */
export class BorderConfigurationError extends Error {
  override readonly name = 'BorderConfigurationError';
  constructor(
    message: string,
    readonly setting?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An in-region log (egress log, quarantine) could not be written; the records it covers are not acknowledged. */
export class BorderLogWriteError extends Error {
  override readonly name = 'BorderLogWriteError';
  constructor(
    readonly log: 'egress' | 'quarantine',
    options?: ErrorOptions,
  ) {
    super(`could not write the ${log} log`, options);
  }
}
