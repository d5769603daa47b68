import { ConfigurationError, RegionMismatchError, type RegionRole } from './errors.ts';

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
      `'${region}' is not a valid AWS region name (expected e.g. ap-south-1) in ${setting}`,
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

// Whitespace or control characters: a value pasted with a trailing newline, or not an ARN at all.
// No ARN a function is given contains them, and a name with one would be another resource's.
function hasUnprintable(text: string): boolean {
  if (/\s/.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Parses an ARN; throws {@link ConfigurationError} when it is not one, or when it holds whitespace
 * or a control character. The error names `setting` when given, and repeats the value only when it
 * starts like an ARN: a value that does not may be anything pasted into the wrong variable.
 *
 * @example parseArn(env.KEY_ARN, 'KEY_ARN').accountId
 */
export function parseArn(arn: string, setting?: string): Arn {
  const parts = arn.split(':');
  const prefix = setting ? `${setting}: ` : '';
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new ConfigurationError(
      `${prefix}not an ARN (expected arn:<partition>:<service>:<region>:<account>:<resource>); value not shown`,
      setting,
    );
  }
  if (hasUnprintable(arn)) {
    throw new ConfigurationError(
      `${prefix}the ARN '${JSON.stringify(arn).slice(1, -1)}' contains whitespace or a control character`,
      setting,
    );
  }
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

/**
 * The partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, `aws-iso` and
 * `aws-iso-<x>` for `*-iso-*` and `*-iso<x>-*`, else `aws`. An ARN names its partition apart from
 * its region, so an ARN of another partition can carry the data region's name.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 *
 * @example partitionOfRegion('cn-north-1') // 'aws-cn'
 */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  const iso = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (iso) return iso[1] ? `aws-iso-${iso[1]}` : 'aws-iso';
  return 'aws';
}

/**
 * Precondition for every function's cold start: the ARN names the data region (or, with
 * `role: 'control'`, the control region), in that region's partition. Global ARNs (no region, such
 * as IAM) are refused too: data-plane resources are regional. Errors name `what` (the setting).
 *
 * @example assertArnInRegion(process.env.KEY_ARN!, 'ap-south-1', 'KMS key')
 */
export function assertArnInRegion(
  arn: string,
  dataRegion: string,
  what: string,
  role: RegionRole = 'data',
): Arn {
  const parsed = parseArn(arn, what);
  if (parsed.region !== dataRegion) {
    throw new RegionMismatchError(`${what} (${arn})`, parsed.region || '(global)', dataRegion, role);
  }
  const partition = partitionOfRegion(dataRegion);
  if (parsed.partition !== partition) {
    throw new ConfigurationError(
      `${what} is in partition '${parsed.partition}', but the ${role} region ${dataRegion} is in partition '${partition}'; refusing to run`,
      what,
    );
  }
  return parsed;
}

/** Precondition: a client or function region equals the data region (or the control region). */
export function assertRegion(
  actualRegion: string | undefined,
  dataRegion: string,
  what: string,
  role: RegionRole = 'data',
): void {
  assertAwsRegion(dataRegion, role === 'data' ? 'dataRegion' : 'controlRegion');
  if (actualRegion !== dataRegion) {
    throw new RegionMismatchError(what, actualRegion ?? '(unset)', dataRegion, role);
  }
}

const ACCOUNT_ID = /^\d{12}$/;
// `key/` and a key id; never `alias/...`.
const KEY_RESOURCE = /^key\/[A-Za-z0-9-]+$/;
// Multi-Region key ids start `mrk-`: their key material can be replicated to other regions.
const MULTI_REGION_KEY = /^key\/mrk-/;

/**
 * Precondition for `KEY_ARN`: the full ARN of a KMS key (`arn:<partition>:kms:<region>:<account>:key/<id>`)
 * in the data region. An alias, a key id alone or another service's ARN (a table, say) is refused:
 * the residency checks and the key policy are about one key.
 *
 * @example assertKeyArnInRegion(env.KEY_ARN, 'ap-south-1', 'KEY_ARN')
 */
export function assertKeyArnInRegion(arn: string, dataRegion: string, setting: string): Arn {
  const parsed = assertArnInRegion(arn, dataRegion, setting);
  if (parsed.service !== 'kms' || !KEY_RESOURCE.test(parsed.resource) || !ACCOUNT_ID.test(parsed.accountId)) {
    throw new ConfigurationError(
      `${setting} must be the ARN of a KMS key (arn:${parsed.partition}:kms:${dataRegion}:<account>:key/<key id>), not '${arn}'`,
      setting,
    );
  }
  if (MULTI_REGION_KEY.test(parsed.resource)) throw multiRegionKeyError(setting);
  return parsed;
}

/** The refusal of a multi-Region KMS key, by the setting that named it. */
export function multiRegionKeyError(setting: string): ConfigurationError {
  return new ConfigurationError(
    `${setting} names a multi-Region KMS key: its key material can be replicated to other regions, so data it protects could be decrypted outside the data region; use a single-Region key`,
    setting,
  );
}

/**
 * Precondition: every ARN a function was given names the same account, so a key, table or stream of
 * another account cannot be slipped in next to the function's own. The function does not know its
 * own account without a call, so the configured ARNs are compared with each other (and, at cold
 * start, with the ARNs the live resources report). Unset settings are skipped.
 *
 * @example assertOneAccount({ KEY_ARN: env.KEY_ARN, VAULT_TABLE: env.VAULT_TABLE })
 */
export function assertOneAccount(arns: Readonly<Record<string, string | undefined>>): void {
  const bySetting = Object.entries(arns).flatMap(([setting, arn]) =>
    arn?.startsWith('arn:') ? [[setting, parseArn(arn, setting).accountId] as const] : [],
  );
  const [first] = bySetting;
  if (!first) return;
  const odd = bySetting.find(([, account]) => account !== first[1]);
  if (odd) {
    throw new ConfigurationError(
      `${odd[0]} is in account '${odd[1]}' but ${first[0]} in '${first[1]}': every resource a function uses must be in one account; refusing to run`,
      odd[0],
    );
  }
}
