export { type CallCounter, type CallCounts, callNameOf, createCallCounter } from './call-counter.ts';
export { type AwsClients, type CreateAwsClientsOptions, createAwsClients } from './clients.ts';
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
