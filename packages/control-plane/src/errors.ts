/** The control plane cannot run with its configuration (missing keys, wrong region, bad table names). */
export class ControlPlaneConfigurationError extends Error {
  override readonly name = 'ControlPlaneConfigurationError';
  constructor(
    message: string,
    readonly setting?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A storage call failed; the batch is not acknowledged (the forwarder retries, and dedupe makes that safe). */
export class ControlPlaneStoreError extends Error {
  override readonly name = 'ControlPlaneStoreError';
  constructor(
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(`control-plane store: ${operation} failed`, options);
  }
}
