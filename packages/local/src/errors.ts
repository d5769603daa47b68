/**
 * Raised when event source mapping options are outside what Lambda accepts (for example
 * `batchSize: 0` or `maximumRecordAgeSeconds: 30`). `issues` lists every problem found.
 */
export class EventSourceMappingConfigurationError extends Error {
  override readonly name = 'EventSourceMappingConfigurationError';
  constructor(
    message: string,
    readonly issues: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Raised by `start()` when the stream cannot be described or its shards listed. */
export class EventSourceMappingStartError extends Error {
  override readonly name = 'EventSourceMappingStartError';
  constructor(
    readonly streamName: string,
    options?: ErrorOptions,
  ) {
    super(`cannot start the event source mapping on stream '${streamName}'`, options);
  }
}

/** Raised by `drain({ timeoutMillis })` when the mapping is not caught up in time. */
export class DrainTimeoutError extends Error {
  override readonly name = 'DrainTimeoutError';
  constructor(readonly timeoutMillis: number) {
    super(`the event source mapping did not catch up within ${timeoutMillis} ms`);
  }
}

/**
 * The error an invocation fails with when the handler runs past `functionTimeoutMillis`.
 * Lambda reports a timeout as an unhandled function error, and so do we.
 */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
  constructor(readonly timeoutMillis: number) {
    super(`Task timed out after ${(timeoutMillis / 1000).toFixed(2)} seconds`);
  }
}

/** Raised when a data directory cannot be created or written to. */
export class DataDirectoryNotWritableError extends Error {
  override readonly name = 'DataDirectoryNotWritableError';
  constructor(
    readonly dataDir: string,
    options?: ErrorOptions,
  ) {
    super(`data directory '${dataDir}' cannot be created or written to`, options);
  }
}

/** Raised when a fixed port was requested for an emulator and something already listens on it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly service: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`cannot start ${service} on 127.0.0.1:${port}: the port is already in use`, options);
  }
}

/** Raised by a second `residency up` on a data directory whose lock is held by a live process. */
export class StackAlreadyRunningError extends Error {
  override readonly name = 'StackAlreadyRunningError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly lockFile: string,
  ) {
    super(`a local stack is already running on '${dataDir}' (pid ${pid}, lock ${lockFile})`);
  }
}

/** Raised when the region given to `residency up` is not an AWS region name such as `ap-south-1`. */
export class InvalidRegionError extends Error {
  override readonly name = 'InvalidRegionError';
  constructor(
    readonly region: string,
    options?: ErrorOptions,
  ) {
    super(`'${region}' is not a valid AWS region name (expected e.g. ap-south-1)`, options);
  }
}

/** Raised when a local resource (stream, table, KMS key) cannot be created or described. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  constructor(
    readonly resource: string,
    options?: ErrorOptions,
  ) {
    super(`cannot provision local resource ${resource}`, options);
  }
}

/** Raised when resource definitions conflict (two roles with one name, a role defined twice). */
export class ResourceDefinitionError extends Error {
  override readonly name = 'ResourceDefinitionError';
}

/** Raised when a checkpoint file cannot be read or is not a valid checkpoint file. */
export class CheckpointStoreError extends Error {
  override readonly name = 'CheckpointStoreError';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
