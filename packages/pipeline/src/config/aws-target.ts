import { basename, dirname } from 'node:path';
import { type AwsTarget, ENDPOINTS_FILE_NAME, RegionMismatchError, readEndpointsFile } from '@residency/aws';
import type { BaseConfig } from './env.ts';

/**
 * Where the function's AWS calls go: real AWS in the data region, or the local stack when
 * `RESIDENCY_ENDPOINTS_FILE` (a data directory or its `endpoints.json`) or `AWS_ENDPOINT_URL_*`
 * are set. The endpoints file must describe the data region. `createAwsClients` then refuses any
 * endpoint that is neither loopback nor in the data region.
 */
export async function resolveAwsTarget(config: BaseConfig): Promise<AwsTarget> {
  const env = config.endpointEnv;
  const endpoints: NonNullable<AwsTarget['endpoints']> = {};
  if (env.RESIDENCY_ENDPOINTS_FILE) {
    const path = env.RESIDENCY_ENDPOINTS_FILE;
    const file = await readEndpointsFile(basename(path) === ENDPOINTS_FILE_NAME ? dirname(path) : path);
    if (file.region !== config.dataRegion) {
      throw new RegionMismatchError(
        'the local stack (RESIDENCY_ENDPOINTS_FILE)',
        file.region,
        config.dataRegion,
      );
    }
    endpoints.kinesis = file.endpoints.kinesis;
    endpoints.dynamodb = file.endpoints.dynamodb;
    endpoints.kms = file.endpoints.kms;
  }
  if (env.AWS_ENDPOINT_URL_KINESIS) endpoints.kinesis = env.AWS_ENDPOINT_URL_KINESIS;
  if (env.AWS_ENDPOINT_URL_DYNAMODB) endpoints.dynamodb = env.AWS_ENDPOINT_URL_DYNAMODB;
  if (env.AWS_ENDPOINT_URL_KMS) endpoints.kms = env.AWS_ENDPOINT_URL_KMS;
  return { region: config.dataRegion, ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}) };
}
