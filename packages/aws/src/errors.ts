/** Which configured region a {@link RegionMismatchError} is about. */
export type RegionRole = 'data' | 'control';

/**
 * Raised when a resource, client or function is configured outside the region it must be in: the
 * data region for the data plane, the control region for the control plane. The function fails
 * closed: nothing runs until the configuration is fixed.
 */
export class RegionMismatchError extends Error {
  override readonly name = 'RegionMismatchError';
  /** The region it must be in (same as `dataRegion`, named for what it is). */
  readonly expectedRegion: string;
  constructor(
    readonly what: string,
    readonly actualRegion: string,
    /** The region it must be in; kept under this name for existing callers, see `regionRole`. */
    readonly dataRegion: string,
    /** Which region `dataRegion` is: the data region (default) or the control region. */
    readonly regionRole: RegionRole = 'data',
  ) {
    super(
      `${what} is in region '${actualRegion}', but the ${regionRole} region is '${dataRegion}'; refusing to run`,
    );
    this.expectedRegion = dataRegion;
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
