/**
 * An aggregate configuration cannot be used: a dimension that is not a short label, histogram
 * bounds out of order, noise asked for on a metric without a range. Raised at startup.
 */
export class AggregateConfigurationError extends Error {
  override readonly name = 'AggregateConfigurationError';
  constructor(
    message: string,
    readonly eventType?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
