import { describe, expect, it } from 'vitest';
import {
  assertArnInRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
  ConfigurationError,
  RegionMismatchError,
} from '../src/index.ts';

const KEY = 'arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555';

describe('RegionMismatchError', () => {
  it('says which region the thing must be in', () => {
    expect(() => assertRegion('ap-south-1', 'eu-central-1', 'control-plane function', 'control')).toThrow(
      "control-plane function is in region 'ap-south-1', but the control region is 'eu-central-1'; refusing to run",
    );
    expect(() => assertArnInRegion(KEY, 'eu-west-1', 'KEY_ARN')).toThrow(
      /but the data region is 'eu-west-1'/,
    );
    const error = new RegionMismatchError('x', 'a', 'b', 'control');
    expect(error).toMatchObject({ regionRole: 'control', expectedRegion: 'b', dataRegion: 'b' });
    expect(error.message).not.toContain('data region');
  });
});

describe('assertKeyArnInRegion', () => {
  it('accepts the ARN of a KMS key in the data region', () => {
    expect(assertKeyArnInRegion(KEY, 'ap-south-1', 'KEY_ARN').accountId).toBe('123456789012');
  });

  it('refuses a multi-Region key: its material can be replicated to other regions', () => {
    expect(() =>
      assertKeyArnInRegion(
        'arn:aws:kms:ap-south-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
        'ap-south-1',
        'KEY_ARN',
      ),
    ).toThrow(/^KEY_ARN names a multi-Region KMS key/);
  });

  it.each([
    ['a table', 'arn:aws:dynamodb:ap-south-1:123456789012:table/vault'],
    ['an alias', 'arn:aws:kms:ap-south-1:123456789012:alias/data'],
    ['a key without an account', 'arn:aws:kms:ap-south-1::key/1111'],
    ['a key with a path', 'arn:aws:kms:ap-south-1:123456789012:key/a/b'],
  ])('refuses %s', (_what, arn) => {
    expect(() => assertKeyArnInRegion(arn, 'ap-south-1', 'KEY_ARN')).toThrow(ConfigurationError);
    expect(() => assertKeyArnInRegion(arn, 'ap-south-1', 'KEY_ARN')).toThrow(
      /^KEY_ARN must be the ARN of a KMS key/,
    );
  });

  it('refuses a key in another region as a region mismatch', () => {
    expect(() =>
      assertKeyArnInRegion(KEY.replace('ap-south-1', 'eu-west-1'), 'ap-south-1', 'KEY_ARN'),
    ).toThrow(RegionMismatchError);
  });
});

describe('assertOneAccount', () => {
  it('accepts ARNs of one account, and skips unset settings and plain names', () => {
    expect(() =>
      assertOneAccount({
        KEY_ARN: KEY,
        VAULT_TABLE: 'arn:aws:dynamodb:ap-south-1:123456789012:table/vault',
        AUDIT_TABLE: 'audit',
        QUARANTINE_TABLE: undefined,
      }),
    ).not.toThrow();
  });

  it('refuses ARNs of two accounts, naming the settings', () => {
    expect(() =>
      assertOneAccount({ KEY_ARN: KEY, VAULT_TABLE: 'arn:aws:dynamodb:ap-south-1:999999999999:table/vault' }),
    ).toThrow(/^VAULT_TABLE is in account '999999999999' but KEY_ARN in '123456789012'/);
  });
});
