/**
 * Raised when a resource, client or function is configured outside the data region.
 * The pipeline fails closed: nothing runs until the configuration is fixed.
 */
export class RegionMismatchError extends Error {
  override readonly name = 'RegionMismatchError';
  constructor(
    readonly what: string,
    readonly actualRegion: string,
    readonly dataRegion: string,
  ) {
    super(`${what} is in region '${actualRegion}', but the data region is '${dataRegion}'; refusing to run`);
  }
}

/** Raised for configuration that cannot be used at all (bad region name, malformed ARN, missing endpoint). */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    message: string,
    readonly setting?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
