import { basename, dirname } from 'node:path';
import {
  type AwsTarget,
  configuredEndpoint,
  ENDPOINTS_FILE_NAME,
  RegionMismatchError,
  readEndpointsFile,
} from '@residency/aws';
import { type BaseConfig, SDK_SERVICE_IDS } from './env.ts';

/**
 * Where the function's AWS calls go: real AWS in the data region, or the local stack when
 * `RESIDENCY_ENDPOINTS_FILE` (a data directory or its `endpoints.json`) or `AWS_ENDPOINT_URL_*`
 * (else `AWS_ENDPOINT_URL`, as the SDK reads them; they win over the file) are set. The endpoints
 * file must describe the data region. `createAwsClients` then refuses any endpoint that is neither
 * loopback nor an AWS endpoint of the data region, and its clients read no endpoint by themselves.
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
  for (const [service, serviceId] of Object.entries(SDK_SERVICE_IDS)) {
    const configured = configuredEndpoint(env, serviceId);
    if (configured) endpoints[service as keyof typeof SDK_SERVICE_IDS] = configured.url;
  }
  return { region: config.dataRegion, ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}) };
}
