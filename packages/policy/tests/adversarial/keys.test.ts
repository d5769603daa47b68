/**
 * Misconfigured templates that name keys outside the data region, or keys that can leave it.
 * Each starts from a small template that passes every rule (`support.ts`), adds one mistake, and
 * asserts the rule and message that catch it.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT, DATA_REGION, ofRule, ruleIds } from '../fixtures.ts';
import {
  DATA_KEY_ARN,
  findingsOf,
  findingsOfFile,
  handler,
  KEY_ID,
  messages,
  OTHER_ACCOUNT,
  STREAM_KEY,
  streamUnder,
  template,
} from './support.ts';

describe('the clean baseline', () => {
  it('passes every rule, with and without the stage region and account', () => {
    expect(findingsOf(template({}))).toEqual([]);
    expect(findingsOfFile(template({}))).toEqual([]);
  });
});

describe('stream keys outside the data region, however the ARN is written', () => {
  it('fails a stream without encryption', () => {
    const findings = findingsOf(
      template({ Events: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } } }),
    );
    expect(messages(findings, STREAM_KEY)).toEqual([
      'stream is not encrypted with an in-region customer key of this account (encryption none, key none)',
    ]);
  });

  it('fails a key ARN built with Fn::Sub (pseudo parameters and a variable map) or Fn::Join', () => {
    const sub = {
      'Fn::Sub': [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        'arn:${AWS::Partition}:kms:${KeyRegion}:${AWS::AccountId}:key/${KeyId}',
        { KeyRegion: 'eu-west-1', KeyId: KEY_ID },
      ],
    };
    const join = {
      'Fn::Join': [
        ':',
        ['arn', { Ref: 'AWS::Partition' }, 'kms', 'us-east-1', { Ref: 'AWS::AccountId' }, `key/${KEY_ID}`],
      ],
    };
    for (const [keyId, region] of [
      [sub, 'eu-west-1'],
      [join, 'us-east-1'],
    ] as const) {
      const findings = findingsOf(template({ Events: streamUnder(keyId) }));
      expect(messages(findings, STREAM_KEY)).toEqual([
        expect.stringMatching(new RegExp(`^stream is not encrypted .* key arn:.*:kms:${region}:`)),
      ]);
      expect(messages(findings, 'RES-001-data-region')).toEqual([
        `StreamEncryption.KeyId names region ${region}`,
      ]);
    }
  });

  it('fails a key from Fn::ImportValue or a parameter without a default: it cannot be told to be in region', () => {
    const imported = findingsOf(template({ Events: streamUnder({ 'Fn::ImportValue': 'shared-key-arn' }) }));
    expect(messages(imported, STREAM_KEY)).toEqual([
      'stream is not encrypted with an in-region customer key of this account (encryption KMS, key #{?})',
    ]);
    const parameter = findingsOf(
      template({ Events: streamUnder({ Ref: 'KeyArn' }) }, { Parameters: { KeyArn: { Type: 'String' } } }),
    );
    expect(messages(parameter, STREAM_KEY)).toEqual([
      'stream is not encrypted with an in-region customer key of this account (encryption KMS, key #{KeyArn})',
    ]);
  });

  it('fails a key from a parameter default, a mapping keyed on AWS::Region, or either branch of Fn::If', () => {
    const elsewhere = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/${KEY_ID}`;
    const byDefault = template(
      { Events: streamUnder({ Ref: 'KeyArn' }) },
      { Parameters: { KeyArn: { Type: 'String', Default: elsewhere } } },
    );
    const byMapping = template(
      { Events: streamUnder({ 'Fn::FindInMap': ['Keys', { Ref: 'AWS::Region' }, 'Arn'] }) },
      { Mappings: { Keys: { [DATA_REGION]: { Arn: elsewhere } } } },
    );
    const byCondition = template(
      { Events: streamUnder({ 'Fn::If': ['UseSharedKey', elsewhere, DATA_KEY_ARN] }) },
      { Conditions: { UseSharedKey: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ACCOUNT] } } },
    );
    for (const tpl of [byDefault, byMapping, byCondition]) {
      expect(messages(findingsOf(tpl), STREAM_KEY)).toEqual([
        `stream is not encrypted with an in-region customer key of this account (encryption KMS, key ${elsewhere})`,
      ]);
    }
  });

  it('fails the AWS-managed key alias, which the key policy cannot restrict', () => {
    const findings = findingsOf(template({ Events: streamUnder('alias/aws/kinesis') }));
    expect(messages(findings, STREAM_KEY)).toEqual([
      'stream is not encrypted with an in-region customer key of this account (encryption KMS, key alias/aws/kinesis)',
    ]);
  });
});

describe('multi-Region keys', () => {
  it('fails a multi-Region key and a replica key', () => {
    const findings = findingsOf(
      template({
        Replica: {
          Type: 'AWS::KMS::ReplicaKey',
          Properties: {
            PrimaryKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-${KEY_ID.replaceAll('-', '')}`,
          },
        },
      }),
    );
    expect(messages(findings, 'RES-003-single-region-keys')).toContain(
      'is a replica of a multi-Region KMS key',
    );
  });

  it('fails a reference to a multi-Region key (mrk-) even when its ARN is in the data region', () => {
    const mrk = `arn:aws:kms:${DATA_REGION}:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;
    const keyId = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    const findings = findingsOf(
      template({
        Events: streamUnder(mrk),
        Archive: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId } },
              ],
            },
          },
        },
      }),
    );
    const why = 'a multi-Region key: its replicas in other regions decrypt the same data';
    expect(ofRule(findings, 'RES-003-single-region-keys').map((f) => `${f.resource}: ${f.message}`)).toEqual([
      `Events: StreamEncryption.KeyId names ${mrk}, ${why}`,
      `Archive: BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID names ${keyId}, ${why}`,
    ]);
  });
});

describe('keys of other resources: log groups, buckets, functions, trails', () => {
  it('fails a log group encrypted with another account’s key or a key it cannot resolve', () => {
    const foreign = `arn:aws:kms:${DATA_REGION}:${OTHER_ACCOUNT}:key/${KEY_ID}`;
    const findings = findingsOf(
      template({
        HandlerLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30, KmsKeyId: foreign } },
        AuditLogs: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30, KmsKeyId: { 'Fn::ImportValue': 'central-log-key' } },
        },
      }),
    );
    expect(messages(findings, STREAM_KEY, 'HandlerLogs')).toEqual([
      `KmsKeyId ${foreign} is not a key of this account in the data region: it is outside this account (${OTHER_ACCOUNT})`,
    ]);
    expect(messages(findings, STREAM_KEY, 'AuditLogs')).toEqual([
      'KmsKeyId (#{?}) cannot be resolved from the template, so the key may be in another region or account',
    ]);
  });

  it('fails a bucket’s default encryption key of another account and a function key from a parameter', () => {
    const foreign = `arn:aws:kms:${DATA_REGION}:${OTHER_ACCOUNT}:key/${KEY_ID}`;
    const findings = findingsOf(
      template(
        {
          Archive: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              BucketEncryption: {
                ServerSideEncryptionConfiguration: [
                  { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: foreign } },
                ],
              },
            },
          },
          Handler: handler({}, { KmsKeyArn: { Ref: 'EnvKey' } }),
        },
        { Parameters: { EnvKey: { Type: 'String' } } },
      ),
    );
    expect(messages(findings, STREAM_KEY, 'Archive')).toEqual([
      `BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID ${foreign} is not a key of this account in the data region: it is outside this account (${OTHER_ACCOUNT})`,
    ]);
    expect(messages(findings, STREAM_KEY, 'Handler')).toEqual([
      'KmsKeyArn (#{EnvKey}) cannot be resolved from the template, so the key may be in another region or account',
    ]);
  });

  it('fails a trail encrypted with a key in another region, and reviews the trail type', () => {
    const findings = findingsOf(
      template({
        Trail: {
          Type: 'AWS::CloudTrail::Trail',
          Properties: {
            IsLogging: true,
            S3BucketName: 'audit',
            KMSKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`,
          },
        },
      }),
    );
    expect(messages(findings, STREAM_KEY, 'Trail')).toEqual([
      `KMSKeyId arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID} is not a key of this account in the data region: it is in region eu-west-1`,
    ]);
    expect(ruleIds(findings)).toEqual(['RES-001-data-region', STREAM_KEY, 'RES-014-unknown-resource-type']);
  });

  it('passes keys of this template, key ids and aliases of this account, and ARNs in region and account', () => {
    const findings = findingsOf(
      template({
        HandlerLogs: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30, KmsKeyId: DATA_KEY_ARN },
        },
        Archive: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                {
                  ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/aws/s3' },
                },
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ID } },
              ],
            },
          },
        },
        Handler: handler(
          {},
          {
            KmsKeyArn: {
              'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${KEY_ID}`,
            },
          },
        ),
      }),
    );
    expect(findings).toEqual([]);
  });
});
