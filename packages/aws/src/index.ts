export { type CallCounter, type CallCounts, callNameOf, createCallCounter } from './call-counter.ts';
export { type AwsClients, type CreateAwsClientsOptions, createAwsClients } from './clients.ts';
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
  ENDPOINTS_FILE_NAME,
  type EndpointsFile,
  EndpointsFileSchema,
  readEndpointsFile,
} from './endpoints-file.ts';
export { ConfigurationError, RegionMismatchError } from './errors.ts';
export {
  type Arn,
  assertArnInRegion,
  assertAwsRegion,
  assertRegion,
  isAwsRegion,
  parseArn,
} from './region.ts';
export {
  type AwsTarget,
  AwsTargetSchema,
  assertEndpointInRegion,
  isLoopbackUrl,
  validateTarget,
} from './target.ts';
