import { describe, expect, it } from 'vitest';
import {
  assertArnInRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  ConfigurationError,
  parseArn,
  partitionOfRegion,
  RegionMismatchError,
} from '../src/index.ts';

// Misconfigured deployments: ARNs copied from another partition, pasted with stray whitespace,
// or not ARNs at all. Every one must be refused by the static check, naming the setting.

const REGION = 'ap-south-1';
const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/residency-vault`;

/** The error a call throws, for assertions on its class, message and setting. */
function refusal(act: () => unknown): Error & { setting?: string } {
  try {
    act();
  } catch (error) {
    return error as Error & { setting?: string };
  }
  throw new Error('expected a refusal, but the call returned');
}

describe('partitionOfRegion', () => {
  it.each([
    ['ap-south-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});

describe('adversarial ARNs: the partition must be the data region own', () => {
  it.each([
    ['aws-cn', KEY.replace('arn:aws:', 'arn:aws-cn:')],
    ['aws-us-gov', KEY.replace('arn:aws:', 'arn:aws-us-gov:')],
    ['aws-iso', KEY.replace('arn:aws:', 'arn:aws-iso:')],
    ['aws-iso-b', KEY.replace('arn:aws:', 'arn:aws-iso-b:')],
    ['an upper-case AWS', KEY.replace('arn:aws:', 'arn:AWS:')],
    ['an empty partition', KEY.replace('arn:aws:', 'arn::')],
  ])('refuses a KEY_ARN in %s that carries the data region name', (_what, arn) => {
    const error = refusal(() => assertKeyArnInRegion(arn, REGION, 'KEY_ARN'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('KEY_ARN');
    expect(error.message).toMatch(/^KEY_ARN .*partition/);
  });

  it('refuses a table ARN of another partition, naming the setting', () => {
    const arn = TABLE.replace('arn:aws:', 'arn:aws-us-gov:');
    const error = refusal(() => assertArnInRegion(arn, REGION, 'VAULT_TABLE'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^VAULT_TABLE .*'aws-us-gov'.*'aws'/);
  });

  it('accepts each partition in its own regions, and refuses the commercial one there', () => {
    const cn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const gov = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(assertKeyArnInRegion(cn, 'cn-north-1', 'KEY_ARN').partition).toBe('aws-cn');
    expect(assertKeyArnInRegion(gov, 'us-gov-west-1', 'KEY_ARN').partition).toBe('aws-us-gov');
    expect(() =>
      assertKeyArnInRegion(cn.replace('arn:aws-cn:', 'arn:aws:'), 'cn-north-1', 'KEY_ARN'),
    ).toThrow(ConfigurationError);
  });

  it('still calls a region mismatch a region mismatch, whatever the partition', () => {
    const arn = KEY.replace('arn:aws:', 'arn:aws-cn:').replace(REGION, 'cn-north-1');
    expect(() => assertKeyArnInRegion(arn, REGION, 'KEY_ARN')).toThrow(RegionMismatchError);
  });
});

describe('adversarial ARNs: whitespace and malformed values', () => {
  it.each([
    ['a trailing space', `${TABLE} `],
    ['a leading space', ` ${TABLE}`],
    ['a trailing newline', `${TABLE}\n`],
    ['a tab inside', TABLE.replace(':table/', ':\ttable/')],
    ['a space in the name', TABLE.replace('residency-vault', 'residency vault')],
    ['a NUL character', `${TABLE}\u0000`],
    ['a DEL character', TABLE.replace('vault', 'va\u007flt')],
  ])('refuses a table ARN with %s, naming the setting', (_what, arn) => {
    const error = refusal(() => assertArnInRegion(arn, REGION, 'VAULT_TABLE'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('VAULT_TABLE');
    expect(error.message).toMatch(/^VAULT_TABLE\b/);
  });

  it.each([
    ['a truncated ARN', 'arn:aws:kms'],
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an alias name', 'alias/residency-data'],
    ['an upper-case ARN prefix', KEY.replace('arn:', 'ARN:')],
  ])('refuses %s as KEY_ARN, naming the setting', (_what, value) => {
    const error = refusal(() => assertKeyArnInRegion(value, REGION, 'KEY_ARN'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('KEY_ARN');
    expect(error.message).toMatch(/^KEY_ARN\b/);
  });

  it('never repeats a value that is not an ARN (a secret pasted into the wrong variable)', () => {
    const secret = '-----BEGIN PRIVATE KEY-----MC4CAQAwBQYDK2VwBCIEIHunter2';
    const error = refusal(() => assertKeyArnInRegion(secret, REGION, 'KEY_ARN'));
    expect(error.message).not.toContain('Hunter2');
    expect(error.message).not.toContain('PRIVATE');
  });

  it('names the setting of a malformed ARN in the account check too', () => {
    const error = refusal(() => assertOneAccount({ KEY_ARN: KEY, AUDIT_TABLE: 'arn:aws:dynamodb' }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.setting).toBe('AUDIT_TABLE');
  });

  it('parseArn without a setting still refuses, and parses a well-formed ARN', () => {
    expect(() => parseArn(`${KEY} `)).toThrow(ConfigurationError);
    expect(parseArn(KEY)).toMatchObject({
      partition: 'aws',
      service: 'kms',
      region: REGION,
      accountId: ACCOUNT,
    });
  });
});

describe('adversarial ARNs: already refused (kept as regressions)', () => {
  it.each([
    ['an alias ARN', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/data`, ConfigurationError],
    ['a multi-Region key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-1234abcd`, ConfigurationError],
    ['an S3 bucket ARN', 'arn:aws:s3:::residency-bucket', RegionMismatchError],
    ['a table ARN', TABLE, ConfigurationError],
    ['an upper-case region', KEY.replace(REGION, 'AP-SOUTH-1'), RegionMismatchError],
    ['a key of another region', KEY.replace(REGION, 'ap-south-2'), RegionMismatchError],
  ])('refuses %s as KEY_ARN', (_what, arn, type) => {
    expect(() => assertKeyArnInRegion(arn, REGION, 'KEY_ARN')).toThrow(type);
  });
});
