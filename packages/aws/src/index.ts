export { type CallCounter, type CallCounts, callNameOf, createCallCounter } from './call-counter.ts';
export {
  type AwsClients,
  type ClientEndpointConfig,
  type CreateAwsClientsOptions,
  clientEndpointConfig,
  createAwsClients,
} from './clients.ts';
export { DAY_PARTITIONS, dayPartitionKey, dayPartitionKeys } from './day-partitions.ts';
export {
  BATCH_GET_MAX_KEYS,
  BATCH_WRITE_MAX_ITEMS,
  BatchGetIncompleteError,
  type BatchOptions,
  type BatchRetry,
  type BatchWriteRequest,
  DEFAULT_BATCH_RETRY,
  type ItemKey,
  keyText,
  type ReadBatchOptions,
  readBatch,
  type WriteBatchOutcome,
  writeBatch,
} from './dynamodb-batch.ts';
export { queryAll, queryPages } from './dynamodb-query.ts';
export {
  assertEndpointInRegion,
  configuredEndpoint,
  type EndpointCheckOptions,
  isAwsEndpointOf,
  isLoopbackUrl,
  redactUrl,
} from './endpoint-policy.ts';
export {
  ENDPOINTS_FILE_NAME,
  type EndpointsFile,
  EndpointsFileSchema,
  readEndpointsFile,
} from './endpoints-file.ts';
export { ConfigurationError, RegionMismatchError, type RegionRole } from './errors.ts';
export {
  assertLoopbackAllowed,
  isLambdaRuntime,
  LOOPBACK_IN_LAMBDA_OVERRIDE,
  localModeAllowed,
  type RuntimeEnv,
} from './lambda-runtime.ts';
export { type LiveResource, type LiveResources, verifyLiveResidency } from './live-residency.ts';
export {
  type Arn,
  assertArnInRegion,
  assertAwsRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
  isAwsRegion,
  parseArn,
  partitionOfRegion,
} from './region.ts';
export { describeError, type ErrorFacts, safeErrorName } from './safe-error.ts';
export { type AwsTarget, AwsTargetSchema, validateTarget } from './target.ts';
