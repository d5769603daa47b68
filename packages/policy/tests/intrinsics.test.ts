import { describe, expect, it } from 'vitest';
import { accountPlace, arnsIn, parseArn, regionNamesIn, regionPlace } from '../src/arn.ts';
import { actionMatches } from '../src/iam.ts';
import { refTarget, render, strings } from '../src/intrinsics.ts';

describe('render', () => {
  it('renders pseudo parameters, references and joins with colon-free placeholders', () => {
    expect(
      render({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':1:q']],
      }),
    ).toBe('arn:#{AWS.Partition}:sqs:#{AWS.Region}:1:q');
    expect(render({ 'Fn::GetAtt': ['Vault', 'Arn'] })).toBe('#{Vault.Arn}');
    expect(render({ Ref: 'Vault' })).toBe('#{Vault}');
  });

  it('renders Fn::Sub with its variables and escapes', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    const sub = 'arn:${AWS::Partition}:kms:${R}:${!Literal}';
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the escaped placeholder, rendered literally
    const expected = 'arn:#{AWS.Partition}:kms:eu-west-1:${Literal}';
    expect(render({ 'Fn::Sub': [sub, { R: 'eu-west-1' }] })).toBe(expected);
  });

  it('renders what cannot be resolved as unknown, and plain objects as undefined', () => {
    expect(render({ 'Fn::ImportValue': 'X' })).toBe('#{?}');
    expect(render({ a: 1 })).toBeUndefined();
  });
});

describe('refTarget and strings', () => {
  it('finds the logical id behind Ref and GetAtt, not behind pseudo parameters', () => {
    expect(refTarget({ Ref: 'Queue' })).toBe('Queue');
    expect(refTarget({ 'Fn::GetAtt': 'Queue.Arn' })).toBe('Queue');
    expect(refTarget({ Ref: 'AWS::Region' })).toBeUndefined();
  });

  it('walks every string with its path, both branches of Fn::If included', () => {
    const found = [...strings({ Env: { A: 'x', B: { 'Fn::If': ['C', 'eu-west-1', 'ap-south-1'] } } })];
    expect(found).toEqual([
      { path: 'Env.A', text: 'x' },
      { path: 'Env.B', text: 'eu-west-1' },
      { path: 'Env.B', text: 'ap-south-1' },
    ]);
  });
});

describe('ARNs and regions', () => {
  it('parses ARNs inside longer strings and classifies region and account', () => {
    const [arn] = arnsIn('to arn:#{AWS.Partition}:sqs:eu-west-1:999999999999:failures now');
    expect(arn).toMatchObject({
      service: 'sqs',
      region: 'eu-west-1',
      account: '999999999999',
      resource: 'failures',
    });
    expect(regionPlace(arn!, 'ap-south-1')).toBe('other');
    expect(regionPlace(parseArn('arn:aws:s3:::bucket')!, 'ap-south-1')).toBe('global');
    expect(regionPlace(parseArn('arn:aws:kinesis:*:1:stream/x')!, 'ap-south-1')).toBe('wildcard');
    expect(regionPlace(parseArn('arn:aws:kinesis:#{AWS.Region}:1:stream/x')!, 'ap-south-1')).toBe('stage');
    expect(accountPlace('#{AWS.AccountId}', undefined)).toBe('own');
    expect(accountPlace('111122223333', undefined)).toBe('unverified');
    expect(accountPlace('111122223333', '111122223333')).toBe('own');
  });

  it('finds region names in endpoints but not in look-alikes', () => {
    expect(regionNamesIn('https://sqs.eu-west-1.amazonaws.com and us-gov-west-1')).toEqual([
      'eu-west-1',
      'us-gov-west-1',
    ]);
    expect(regionNamesIn('europe-west-1, ap-south-12x')).toEqual([]);
  });

  it('matches IAM action wildcards case-insensitively', () => {
    expect(actionMatches('kms:*', 'kms:Decrypt')).toBe(true);
    expect(actionMatches('kms:Create*', 'kms:CreateGrant')).toBe(true);
    expect(actionMatches('KMS:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext')).toBe(true);
    expect(actionMatches('kms:Describe*', 'kms:Decrypt')).toBe(false);
  });
});
