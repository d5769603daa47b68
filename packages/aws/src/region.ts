import { ConfigurationError, RegionMismatchError } from './errors.ts';

// Commercial, GovCloud, China and ISO partitions all follow this shape: ap-south-1, us-gov-west-1,
// cn-north-1, eu-central-2. https://docs.aws.amazon.com/general/latest/gr/rande.html
const REGION_PATTERN = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?)-[a-z]+-\d{1,2}$/;

/** True if `region` is shaped like an AWS region name (for example `ap-south-1`). */
export function isAwsRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** Throws {@link ConfigurationError} unless `region` is a valid AWS region name. */
export function assertAwsRegion(region: string, setting = 'region'): string {
  if (!isAwsRegion(region)) {
    throw new ConfigurationError(
      `'${region}' is not a valid AWS region name (expected e.g. ap-south-1)`,
      setting,
    );
  }
  return region;
}

/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** Parses an ARN; throws {@link ConfigurationError} when it is not one. */
export function parseArn(arn: string): Arn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new ConfigurationError(`'${arn}' is not an ARN`);
  }
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

/**
 * Precondition for every function's cold start: the ARN names the data region.
 * Global ARNs (no region, such as IAM) are refused too: data-plane resources are regional.
 *
 * @example assertArnInRegion(process.env.KEY_ARN!, 'ap-south-1', 'KMS key')
 */
export function assertArnInRegion(arn: string, dataRegion: string, what: string): Arn {
  const parsed = parseArn(arn);
  if (parsed.region !== dataRegion) {
    throw new RegionMismatchError(`${what} (${arn})`, parsed.region || '(global)', dataRegion);
  }
  return parsed;
}

/** Precondition: a client or function region equals the data region. */
export function assertRegion(actualRegion: string | undefined, dataRegion: string, what: string): void {
  assertAwsRegion(dataRegion, 'dataRegion');
  if (actualRegion !== dataRegion) {
    throw new RegionMismatchError(what, actualRegion ?? '(unset)', dataRegion);
  }
}
