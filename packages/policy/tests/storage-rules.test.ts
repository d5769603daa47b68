import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, S3OnFailureDestination } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  cdkTemplate,
  check,
  dataStage,
  id,
  ofRule,
  resource,
  ruleIds,
  variant,
} from './fixtures.ts';

describe('RES-006-key-rotation', () => {
  it('fails a key without rotation', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::KMS::Key', 'DataKey').Properties.EnableKeyRotation = false;
    });
    expect(ruleIds(check(stages))).toEqual(['RES-006-key-rotation']);
  });

  it('fails an asymmetric key, which cannot rotate', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::KMS::Key', 'DataKey').Properties.KeySpec = 'RSA_2048';
    });
    expect(ofRule(check(stages), 'RES-006-key-rotation')).toEqual([
      expect.objectContaining({ message: 'has key spec RSA_2048, which cannot rotate automatically' }),
    ]);
  });
});

describe('RES-007-customer-key-encryption', () => {
  it('fails an unencrypted events stream', async () => {
    const stages = await variant('data', (r) => {
      delete resource(r, 'AWS::Kinesis::Stream', 'Events').Properties.StreamEncryption;
    });
    expect(ruleIds(check(stages))).toEqual(['RES-007-customer-key-encryption']);
  });

  it('fails a stream under the AWS-managed key and a table under the AWS-owned key', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::Kinesis::Stream', 'Outbox').Properties.StreamEncryption = {
        EncryptionType: 'KMS',
        KeyId: 'alias/aws/kinesis',
      };
      delete resource(r, 'AWS::DynamoDB::Table', 'Vault').Properties.SSESpecification;
    });
    const findings = ofRule(check(stages), 'RES-007-customer-key-encryption');
    expect(findings.map((finding) => finding.resource.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'Outbox',
      'Vault',
    ]);
  });

  it('fails a table under a key in another region', async () => {
    const stages = await variant('data', (r) => {
      const sse = resource(r, 'AWS::DynamoDB::Table', 'Audit').Properties.SSESpecification as Record<
        string,
        unknown
      >;
      sse.KMSMasterKeyId = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    });
    expect(ruleIds(check(stages))).toContain('RES-007-customer-key-encryption');
  });

  it('fails a key of another account in the data region, and a literal account until --account says it is ours', async () => {
    const keyOf = (account: string) =>
      `arn:aws:kms:ap-south-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const audit = (key: string) =>
      variant('data', (r) => {
        (
          resource(r, 'AWS::DynamoDB::Table', 'Audit').Properties.SSESpecification as Record<string, unknown>
        ).KMSMasterKeyId = key;
      });
    const other = ofRule(
      check(await audit(keyOf('999999999999')), { account: ACCOUNT }),
      'RES-007-customer-key-encryption',
    );
    expect(other).toEqual([
      expect.objectContaining({
        message: `table is not encrypted with an in-region customer key of this account (key ${keyOf('999999999999')})`,
      }),
    ]);
    const ours = await audit(keyOf(ACCOUNT));
    expect(ofRule(check(ours, { account: ACCOUNT }), 'RES-007-customer-key-encryption')).toEqual([]);
    const unknown = ours.map((stage) => ({ ...stage, account: undefined }));
    expect(ofRule(check(unknown), 'RES-007-customer-key-encryption')).toHaveLength(1);
  });

  it('passes a table whose key is given as a Ref to an alias of the stack’s own key', async () => {
    const stages = await variant('data', (r) => {
      r.DataAlias = {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: 'alias/data', TargetKeyId: { Ref: id(r, 'AWS::KMS::Key', 'DataKey') } },
      };
      (
        resource(r, 'AWS::DynamoDB::Table', 'Audit').Properties.SSESpecification as Record<string, unknown>
      ).KMSMasterKeyId = { Ref: 'DataAlias' };
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption')).toEqual([]);
  });

  it('fails a queue with SQS-managed SSE turned off and no key', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::SQS::Queue', 'IngestFailures').Properties.SqsManagedSseEnabled = false;
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption')).toEqual([
      expect.objectContaining({
        resource: expect.stringMatching(/^IngestFailures/),
        message: 'queue is not encrypted at rest (SqsManagedSseEnabled false, no KmsMasterKeyId)',
      }),
    ]);
  });

  it('passes a queue on SQS-managed SSE, set or by default, or under the stack’s key', async () => {
    const stages = await variant('data', (r) => {
      delete resource(r, 'AWS::SQS::Queue', 'IngestFailures').Properties.SqsManagedSseEnabled;
      const forwarder = resource(r, 'AWS::SQS::Queue', 'ForwarderFailures').Properties;
      delete forwarder.SqsManagedSseEnabled;
      forwarder.KmsMasterKeyId = { 'Fn::GetAtt': [id(r, 'AWS::KMS::Key', 'DataKey'), 'Arn'] };
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption')).toEqual([]);
  });

  it('fails a queue under the AWS-managed key or a key in another region', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::SQS::Queue', 'IngestFailures').Properties.KmsMasterKeyId = 'alias/aws/sqs';
      resource(r, 'AWS::SQS::Queue', 'ForwarderFailures').Properties.KmsMasterKeyId =
        'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption').map((f) => f.message)).toEqual([
      'queue is not encrypted with an in-region customer key of this account (key alias/aws/sqs)',
      'queue is not encrypted with an in-region customer key of this account (key arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab)',
    ]);
  });
});

describe('RES-007-customer-key-encryption: SNS topics', () => {
  it('fails a data-plane topic without a key, under the AWS-managed key, or under a key in another region', async () => {
    const stages = await variant('data', (r) => {
      r.Alerts = { Type: 'AWS::SNS::Topic', Properties: {} };
      r.Managed = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } };
      r.Elsewhere = {
        Type: 'AWS::SNS::Topic',
        Properties: {
          KmsMasterKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      };
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption')).toEqual([
      expect.objectContaining({
        resource: 'Alerts',
        message: 'topic is not encrypted at rest (no KmsMasterKeyId)',
      }),
      expect.objectContaining({
        resource: 'Managed',
        message: 'topic is not encrypted with an in-region customer key of this account (key alias/aws/sns)',
      }),
      expect.objectContaining({
        resource: 'Elsewhere',
        message: expect.stringContaining('key arn:aws:kms:eu-central-1'),
      }),
    ]);
  });

  it('passes a topic under the stack’s key, by ARN or by alias, and a CDK Topic given the key', async () => {
    const stages = await variant('data', (r) => {
      const key = id(r, 'AWS::KMS::Key', 'DataKey');
      r.Alerts = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } } };
      r.DataAlias = {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: 'alias/data', TargetKeyId: { Ref: key } },
      };
      r.Notices = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'DataAlias' } } };
    });
    expect(ofRule(check(stages), 'RES-007-customer-key-encryption')).toEqual([]);
    const template = cdkTemplate((stack) => {
      new Topic(stack, 'Alerts', { masterKey: new Key(stack, 'K', { enableKeyRotation: true }) });
    });
    expect(ofRule(check([dataStage(template)]), 'RES-007-customer-key-encryption')).toEqual([]);
  });
});

describe('RES-008-event-source-bounds', () => {
  it('fails a mapping that retries forever and keeps records forever', async () => {
    const stages = await variant('data', (r) => {
      const mapping = resource(r, 'AWS::Lambda::EventSourceMapping', 'IngestKinesis').Properties;
      delete mapping.MaximumRetryAttempts;
      mapping.MaximumRecordAgeInSeconds = -1;
    });
    expect(ofRule(check(stages), 'RES-008-event-source-bounds').map((finding) => finding.message)).toEqual([
      'retries a failing batch forever (MaximumRetryAttempts unset or -1)',
      'keeps records forever (MaximumRecordAgeInSeconds unset or -1)',
    ]);
  });

  it('fails a forwarder mapping that gives up: unacknowledged records must wait in the outbox', async () => {
    // Our own stack: the forwarder's mapping retries until its records expire, and passes.
    expect(ofRule(check(await variant('data', () => undefined)), 'RES-008-event-source-bounds')).toEqual([]);
    const stages = await variant('data', (r) => {
      const mapping = resource(r, 'AWS::Lambda::EventSourceMapping', 'ForwarderKinesis').Properties;
      mapping.MaximumRetryAttempts = 5;
      mapping.MaximumRecordAgeInSeconds = 21_600;
    });
    expect(ofRule(check(stages), 'RES-008-event-source-bounds').map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^feeds the forwarder but gives up on a batch after 5 retries/),
      expect.stringMatching(/^feeds the forwarder but discards records older than 21600 s/),
    ]);
  });

  it('fails a mapping without an on-failure destination', async () => {
    const stages = await variant('data', (r) => {
      delete resource(r, 'AWS::Lambda::EventSourceMapping', 'IngestKinesis').Properties.DestinationConfig;
    });
    expect(ruleIds(check(stages))).toEqual(['RES-008-event-source-bounds']);
  });

  it('fails an S3 on-failure destination', () => {
    const template = cdkTemplate((stack) => {
      const stream = new Stream(stack, 'Events');
      const fn = new LambdaFunction(stack, 'Ingest', {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => {}'),
        logGroup: new LogGroup(stack, 'IngestLogs', { retention: RetentionDays.ONE_MONTH }),
      });
      fn.addEventSource(
        new KinesisEventSource(stream, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          retryAttempts: 3,
          maxRecordAge: Duration.hours(1),
          onFailure: new S3OnFailureDestination(
            new Bucket(stack, 'Failures', { removalPolicy: RemovalPolicy.RETAIN }),
          ),
        }),
      );
    });
    expect(ofRule(check([dataStage(template)]), 'RES-008-event-source-bounds')).toEqual([
      expect.objectContaining({ message: 'sends failed batches to S3, which receives whole payloads' }),
    ]);
  });
});

describe('RES-009-log-retention', () => {
  it('fails a log group without retention', () => {
    const template = cdkTemplate(
      (stack) => new LogGroup(stack, 'Logs', { retention: RetentionDays.INFINITE }),
    );
    expect(ofRule(check([dataStage(template)]), 'RES-009-log-retention')).toEqual([
      expect.objectContaining({ message: 'log group has no RetentionInDays, so it never expires' }),
    ]);
  });

  it('fails a function that logs into its implicit group', async () => {
    const stages = await variant('control', (r) => {
      delete resource(r, 'AWS::Lambda::Function', 'Query').Properties.LoggingConfig;
    });
    expect(ofRule(check(stages), 'RES-009-log-retention')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^logs to the implicit group \/aws\/lambda\/#\{Query/),
      }),
    ]);
  });

  it('accepts a function whose /aws/lambda group is declared with retention', () => {
    const template = cdkTemplate((stack) => {
      const fn = new LambdaFunction(stack, 'Fn', {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => {}'),
      });
      new LogGroup(stack, 'FnLogs', {
        logGroupName: `/aws/lambda/${fn.functionName}`,
        retention: RetentionDays.ONE_WEEK,
      });
    });
    expect(ofRule(check([dataStage(template)]), 'RES-009-log-retention')).toEqual([]);
  });
});
