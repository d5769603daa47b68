import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../src/types.ts';
import { MAX_VARIANTS, variantsOf } from '../src/variants.ts';
import { ACCOUNT, check, dataStage, ofRule } from './fixtures.ts';

const IS_PROD = { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ACCOUNT] } };
const NO_VALUE = { Ref: 'AWS::NoValue' };

/** A log group with retention, and a subscription filter sending it to `destination`. */
function subscription(destination: unknown, extra: Partial<CfnTemplate> = {}): CfnTemplate {
  return {
    ...extra,
    Resources: {
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
      Sub: {
        Type: 'AWS::Logs::SubscriptionFilter',
        Properties: { LogGroupName: { Ref: 'Logs' }, FilterPattern: '', DestinationArn: destination },
      },
    },
  };
}

function findings(template: CfnTemplate, ruleId: string) {
  return ofRule(check([dataStage(template)], { account: ACCOUNT }), ruleId).map((f) => f.message);
}

describe('Fn::If: both branches are checked', () => {
  it('fails a destination in another account in either branch', () => {
    const other = 'arn:aws:logs:ap-south-1:999999999999:destination:central';
    const template = subscription({ 'Fn::If': ['IsProd', other, NO_VALUE] }, { Conditions: IS_PROD });
    expect(findings(template, 'RES-005-no-cross-region-destinations')).toEqual([
      `DestinationArn ${other} is outside this account (999999999999)`,
    ]);
    const swapped = subscription({ 'Fn::If': ['IsProd', NO_VALUE, other] }, { Conditions: IS_PROD });
    expect(findings(swapped, 'RES-005-no-cross-region-destinations')).toHaveLength(1);
  });

  it('fails a key policy whose other branch lets anyone use the key', () => {
    const policy = (who: unknown) => ({
      Statement: [{ Effect: 'Allow', Principal: { AWS: who }, Action: 'kms:Decrypt', Resource: '*' }],
    });
    const template: CfnTemplate = {
      Conditions: IS_PROD,
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            EnableKeyRotation: true,
            KeyPolicy: { 'Fn::If': ['IsProd', policy({ 'Fn::GetAtt': ['Role', 'Arn'] }), policy('*')] },
          },
        },
      },
    };
    expect(findings(template, 'RES-010-key-policy')).toEqual(['lets anyone (*) use or manage the key']);
  });

  it('counts AWS::NoValue in a required place as missing (RetentionInDays)', () => {
    const template: CfnTemplate = {
      Conditions: IS_PROD,
      Resources: {
        Logs: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: { 'Fn::If': ['IsProd', NO_VALUE, 7] } },
        },
      },
    };
    expect(findings(template, 'RES-009-log-retention')).toEqual([
      'log group has no RetentionInDays, so it never expires',
    ]);
  });

  it('fails a statement or a Resource that is * in one branch only', () => {
    const policy = (statement: unknown): CfnTemplate => ({
      Conditions: IS_PROD,
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Pol: {
          Type: 'AWS::IAM::Policy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement] } },
        },
      },
    });
    const whole = policy({ 'Fn::If': ['IsProd', { Effect: 'Allow', Action: '*', Resource: '*' }, NO_VALUE] });
    expect(findings(whole, 'RES-005-no-cross-region-destinations')).toEqual([
      'allows * on every resource, in every region',
    ]);
    const table = `arn:aws:dynamodb:ap-south-1:${ACCOUNT}:table/x`;
    const resource = policy({
      Effect: 'Allow',
      Action: 'dynamodb:*',
      Resource: { 'Fn::If': ['IsProd', '*', table] },
    });
    expect(findings(resource, 'RES-005-no-cross-region-destinations')).toEqual([
      'allows dynamodb:* on every resource, in every region',
    ]);
  });

  it('fails a key that is multi-Region in one branch, and passes when both branches are fine', () => {
    const key = (multiRegion: unknown): CfnTemplate => ({
      Conditions: IS_PROD,
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, MultiRegion: multiRegion } },
      },
    });
    expect(findings(key({ 'Fn::If': ['IsProd', true, false] }), 'RES-003-single-region-keys')).toHaveLength(
      1,
    );
    expect(findings(key({ 'Fn::If': ['IsProd', false, NO_VALUE] }), 'RES-003-single-region-keys')).toEqual(
      [],
    );
  });
});

describe('parameters and mappings', () => {
  it('checks a parameter by its default', () => {
    const template = subscription(
      { Ref: 'Destination' },
      {
        Parameters: {
          Destination: { Type: 'String', Default: 'arn:aws:logs:us-east-1:999999999999:destination:c' },
        },
      },
    );
    expect(findings(template, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn arn:aws:logs:us-east-1:999999999999:destination:c is in region us-east-1',
    ]);
  });

  it('checks every allowed value of a parameter, not only the default', () => {
    const template: CfnTemplate = {
      Parameters: { Multi: { Type: 'String', Default: 'false', AllowedValues: ['false', 'true'] } },
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: { EnableKeyRotation: true, MultiRegion: { Ref: 'Multi' } },
        },
      },
    };
    expect(findings(template, 'RES-003-single-region-keys')).toEqual([
      'is a multi-Region KMS key (MultiRegion: true)',
    ]);
  });

  it('substitutes parameters inside Fn::Sub', () => {
    const template = subscription(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:aws:logs:${Where}:${AWS::AccountId}:destination:c' },
      { Parameters: { Where: { Type: 'String', Default: 'eu-west-1' } } },
    );
    expect(findings(template, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn arn:aws:logs:eu-west-1:#{AWS.AccountId}:destination:c is in region eu-west-1',
    ]);
  });

  it('fails a destination, a key setting or a protocol decided by a parameter without a default', () => {
    const destination = subscription(
      { Ref: 'Destination' },
      { Parameters: { Destination: { Type: 'String' } } },
    );
    expect(findings(destination, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn (#{Destination}) cannot be resolved from the template',
    ]);
    const key: CfnTemplate = {
      Parameters: { Multi: { Type: 'String' } },
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: { EnableKeyRotation: true, MultiRegion: { Ref: 'Multi' } },
        },
      },
    };
    expect(findings(key, 'RES-003-single-region-keys')).toEqual([
      'may be a multi-Region KMS key: MultiRegion (#{Multi}) cannot be resolved from the template',
    ]);
    const sns: CfnTemplate = {
      Parameters: { Proto: { Type: 'String' } },
      Resources: {
        Subs: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: 'arn:aws:sns:ap-south-1:123456789012:t',
            Protocol: { Ref: 'Proto' },
            Endpoint: 'x',
          },
        },
      },
    };
    expect(findings(sns, 'RES-013-egress-forwarder-only')).toEqual([
      'delivers notifications over #{Proto}, which cannot be resolved from the template, to x',
    ]);
  });

  it('does not take the default of an SSM parameter type for its value (it is a parameter name)', () => {
    const template = subscription(
      { Ref: 'Destination' },
      {
        Parameters: {
          Destination: {
            Type: 'AWS::SSM::Parameter::Value<String>',
            Default: 'arn:aws:logs:ap-south-1:123456789012:destination:x',
          },
        },
      },
    );
    expect(findings(template, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn (#{Destination}) cannot be resolved from the template',
    ]);
  });

  it('reads Fn::FindInMap, with AWS::Region as the stage region', () => {
    const mappings = {
      Dest: {
        'ap-south-1': { Arn: `arn:aws:logs:ap-south-1:${ACCOUNT}:destination:local` },
        'us-east-1': { Arn: 'arn:aws:logs:us-east-1:999999999999:destination:central' },
      },
    };
    const local = subscription(
      { 'Fn::FindInMap': ['Dest', { Ref: 'AWS::Region' }, 'Arn'] },
      { Mappings: mappings },
    );
    expect(findings(local, 'RES-005-no-cross-region-destinations')).toEqual([]);
    const central = subscription({ 'Fn::FindInMap': ['Dest', 'us-east-1', 'Arn'] }, { Mappings: mappings });
    expect(findings(central, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn arn:aws:logs:us-east-1:999999999999:destination:central is in region us-east-1',
    ]);
    const unknown = subscription(
      { 'Fn::FindInMap': ['Dest', { Ref: 'Nowhere' }, 'Arn'] },
      { Mappings: mappings },
    );
    expect(findings(unknown, 'RES-005-no-cross-region-destinations')).toEqual([
      'DestinationArn (#{?}) cannot be resolved from the template',
    ]);
  });
});

describe('variantsOf', () => {
  it(`takes every branch of every condition even beyond ${MAX_VARIANTS} combinations`, () => {
    const names = Array.from({ length: 8 }, (_, index) => `C${index}`);
    const template: CfnTemplate = {
      Resources: Object.fromEntries(
        names.map((name) => [
          name,
          { Type: 'AWS::SQS::Queue', Properties: { V: { 'Fn::If': [name, 'yes', 'no'] } } },
        ]),
      ),
    };
    const variants = variantsOf(dataStage(template));
    expect(variants.length).toBeLessThanOrEqual(MAX_VARIANTS);
    for (const name of names) {
      const values = variants.map((variant) => variant.template.Resources?.[name]?.Properties?.V);
      expect(new Set(values)).toEqual(new Set(['yes', 'no']));
    }
  });
});
