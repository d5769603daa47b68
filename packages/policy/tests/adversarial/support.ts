/** Templates and helpers of the adversarial template tests: a clean template and what to add to it. */
import type { CfnTemplate, Finding } from '../../src/types.ts';
import { check, dataStage, ofRule } from '../fixtures.ts';

export type Json = Record<string, unknown>;

export const OTHER_ACCOUNT = '999999999999';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const DATA_KEY_ARN = { 'Fn::GetAtt': ['DataKey', 'Arn'] };

/**
 * A data-plane template that passes every rule: an in-region rotating key whose policy gives the
 * account root administration only and the handler's role use, a stream under that key, and a
 * function logging into a group with retention.
 */
export function cleanResources(): Record<string, Json> {
  return {
    DataKey: {
      Type: 'AWS::KMS::Key',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
              Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
              Action: [
                'kms:Describe*',
                'kms:Enable*',
                'kms:List*',
                'kms:Put*',
                'kms:Update*',
                'kms:Disable*',
              ],
              Resource: '*',
            },
            {
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: '*',
            },
          ],
        },
      },
    },
    HandlerRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    },
    HandlerLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    Handler: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Code: { ZipFile: 'exports.handler = async () => {}' },
        Role: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] },
        LoggingConfig: { LogGroup: { Ref: 'HandlerLogs' } },
        Environment: { Variables: { TABLE: 'vault' } },
      },
    },
    Events: {
      Type: 'AWS::Kinesis::Stream',
      Properties: { ShardCount: 1, StreamEncryption: { EncryptionType: 'KMS', KeyId: DATA_KEY_ARN } },
    },
  };
}

/** The clean template with resources added or replaced, and other sections (Parameters, ...). */
export function template(resources: Record<string, Json>, sections: Json = {}): CfnTemplate {
  return { ...sections, Resources: { ...cleanResources(), ...resources } } as CfnTemplate;
}

/** Findings of a template deployed to the data region in our account. */
export function findingsOf(tpl: CfnTemplate): Finding[] {
  return check([dataStage(tpl)]);
}

/** Findings of a user's template whose region and account the check is not told (a file). */
export function findingsOfFile(tpl: CfnTemplate): Finding[] {
  return check([{ name: 'user.template.json', plane: 'data', template: tpl }]);
}

/** The messages of one rule for one resource. */
export function messages(findings: readonly Finding[], ruleId: string, resource?: string): string[] {
  return ofRule(findings, ruleId)
    .filter((finding) => resource === undefined || finding.resource === resource)
    .map((finding) => finding.message);
}

/** The clean handler function with environment variables and properties added. */
export function handler(variables: Json, properties: Json = {}): Json {
  const base = cleanResources().Handler as { Properties: Json };
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      ...base.Properties,
      Environment: { Variables: { TABLE: 'vault', ...variables } },
      ...properties,
    },
  };
}

/** The clean stream with a different key. */
export function streamUnder(keyId: unknown): Json {
  return {
    Type: 'AWS::Kinesis::Stream',
    Properties: { ShardCount: 1, StreamEncryption: { EncryptionType: 'KMS', KeyId: keyId } },
  };
}

export const STREAM_KEY = 'RES-007-customer-key-encryption';
