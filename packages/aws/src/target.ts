import { z } from 'zod';
import { ConfigurationError, RegionMismatchError } from './errors.ts';
import { assertAwsRegion } from './region.ts';

/**
 * Where the pipeline's AWS calls go: real AWS in `region`, or local emulators on loopback.
 * The same handler and client code runs against both.
 */
export const AwsTargetSchema = z.object({
  /** The data region; every client is pinned to it. */
  region: z.string(),
  /** Endpoint overrides for the local runtime (loopback URLs). Omit on real AWS. */
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when `url` points at this machine (127.0.0.0/8, localhost or ::1). */
export function isLoopbackUrl(url: string | URL): boolean {
  const host = new URL(url).hostname;
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Precondition for an endpoint override: either loopback (the local runtime) or an AWS endpoint
 * of the data region itself (for example a VPC or FIPS endpoint). An AWS hostname that names
 * another region is refused: requests signed for region A must never be sent to region B.
 */
export function assertEndpointInRegion(endpoint: string, region: string, service: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new ConfigurationError(`${service} endpoint '${endpoint}' is not a URL`, `endpoints.${service}`, {
      cause,
    });
  }
  if (isLoopbackUrl(url)) return;
  if (url.protocol !== 'https:') {
    throw new ConfigurationError(
      `${service} endpoint must use https unless it is loopback`,
      `endpoints.${service}`,
    );
  }
  const named = url.hostname.match(/(?:^|\.)([a-z]{2}(?:-gov)?-[a-z]+-\d{1,2})\./)?.[1];
  if (named && named !== region) {
    throw new RegionMismatchError(`${service} endpoint ${url.hostname}`, named, region);
  }
}

/** Validates a target: a real region name, and endpoints that stay in it. */
export function validateTarget(target: AwsTarget): AwsTarget {
  const parsed = AwsTargetSchema.parse(target);
  assertAwsRegion(parsed.region);
  for (const [service, endpoint] of Object.entries(parsed.endpoints ?? {})) {
    if (endpoint) assertEndpointInRegion(endpoint, parsed.region, service);
  }
  return parsed;
}
