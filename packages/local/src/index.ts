export {
  type EmulatorOptions,
  type RunningEmulator,
  startDynalite,
  startKinesalite,
} from './emulators/in-process.ts';
export {
  CheckpointStoreError,
  DataDirectoryNotWritableError,
  DrainTimeoutError,
  EventSourceMappingConfigurationError,
  EventSourceMappingStartError,
  FunctionTimeoutError,
  InvalidRegionError,
  PortInUseError,
  ProvisioningError,
  ResourceDefinitionError,
  StackAlreadyRunningError,
} from './errors.ts';
export { type BatchResponseVerdict, interpretBatchResponse } from './esm/batch-response.ts';
export {
  type CheckpointStore,
  createMemoryCheckpointStore,
  type ShardCheckpoint,
  ShardCheckpointSchema,
} from './esm/checkpoint-store.ts';
export { createEventSourceMapping, type EventSourceMapping } from './esm/create-event-source-mapping.ts';
export { createFileCheckpointStore, type FileCheckpointStoreOptions } from './esm/file-checkpoint-store.ts';
export {
  createFileFailureDestination,
  type FileFailureDestinationOptions,
} from './esm/file-failure-destination.ts';
export { createLambdaContext, type LambdaContextOptions } from './esm/lambda-context.ts';
export {
  createCounters as createMappingCounters,
  type EventSourceMappingStats,
  type MappingCounters,
  type ShardStats,
} from './esm/mapping-stats.ts';
export {
  createMemoryFailureDestination,
  type MemoryFailureDestination,
} from './esm/memory-failure-destination.ts';
export {
  type FailureDestination,
  type OnFailureCondition,
  type OnFailureRecord,
  OnFailureRecordSchema,
} from './esm/on-failure-record.ts';
export {
  type EventSourceMappingOptions,
  type KinesisHandler,
  LAMBDA_MAX_PAYLOAD_BYTES,
  type MappingLogger,
} from './esm/options.ts';
export { acquireDirectoryLock, type DirectoryLock, LOCK_FILE_NAME } from './up/directory-lock.ts';
export {
  compositeKey,
  extendLocalResources,
  type LocalResourceDefinitions,
  LocalResourceDefinitionsSchema,
  type LocalResourceExtension,
  LocalResources,
  type StreamSpec,
  type TableSpec,
} from './up/local-resources.ts';
export type { LocalStackContext, LocalStackPlugin, RunningPlugin } from './up/plugin.ts';
export { ensureTable } from './up/provision.ts';
export { type RunUpOptions, runUp } from './up/run-up.ts';
export { type LocalStack, type StartLocalStackOptions, startLocalStack } from './up/start-local-stack.ts';
