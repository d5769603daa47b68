import { z } from 'zod';
import { assertEndpointInRegion } from './endpoint-policy.ts';
import type { RuntimeEnv } from './lambda-runtime.ts';
import { assertAwsRegion } from './region.ts';

/**
 * Where the pipeline's AWS calls go: real AWS in `region`, or local emulators on loopback.
 * The same handler and client code runs against both.
 */
export const AwsTargetSchema = z.object({
  /** The data region; every client is pinned to it. */
  region: z.string(),
  /**
   * Endpoint overrides: loopback URLs for the local runtime, or AWS endpoints of the data region
   * (FIPS, dual-stack, VPC). Omit on real AWS. Nothing else is used: the SDK's own endpoint
   * settings (`AWS_ENDPOINT_URL*`, `endpoint_url` in the shared config file) are ignored.
   */
  endpoints: z
    .object({
      kinesis: z.string().url().optional(),
      dynamodb: z.string().url().optional(),
      kms: z.string().url().optional(),
    })
    .optional(),
});

/** See {@link AwsTargetSchema}. */
export type AwsTarget = z.infer<typeof AwsTargetSchema>;

/**
 * Validates a target: a real region name, and endpoints that stay in it (see
 * `assertEndpointInRegion`; `runtimeEnv`, default `process.env`, tells a Lambda function, where
 * loopback endpoints are refused).
 */
export function validateTarget(target: AwsTarget, runtimeEnv: RuntimeEnv = process.env): AwsTarget {
  const parsed = AwsTargetSchema.parse(target);
  assertAwsRegion(parsed.region);
  for (const [service, endpoint] of Object.entries(parsed.endpoints ?? {})) {
    if (endpoint) assertEndpointInRegion(endpoint, parsed.region, service, { runtimeEnv });
  }
  return parsed;
}
