/**
 * Misconfigured templates that copy data, or deliver it, to another region or account.
 * Each starts from a small template that passes every rule (`support.ts`), adds one mistake, and
 * asserts the rule and message that catch it.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT, DATA_REGION, ofRule } from '../fixtures.ts';
import {
  DATA_KEY_ARN,
  findingsOf,
  handler,
  type Json,
  messages,
  OTHER_ACCOUNT,
  template,
} from './support.ts';

describe('copies of the data in other regions', () => {
  it('fails a global table with a replica elsewhere, also behind a condition or a parameter’s allowed values', () => {
    const replicas = (regions: readonly unknown[]) => regions.map((region) => ({ Region: region }));
    const table = (replicaList: unknown): Json => ({
      Type: 'AWS::DynamoDB::GlobalTable',
      Condition: 'InProd',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: replicaList,
      },
    });
    const conditions = { InProd: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ACCOUNT] } };
    const byCondition = template(
      {
        Vault: table({
          'Fn::If': [
            'InProd',
            replicas([{ Ref: 'AWS::Region' }, 'ap-southeast-1']),
            replicas([{ Ref: 'AWS::Region' }]),
          ],
        }),
      },
      { Conditions: conditions },
    );
    const byParameter = template(
      { Vault: table(replicas([DATA_REGION, { Ref: 'DrRegion' }])) },
      {
        Conditions: conditions,
        Parameters: {
          DrRegion: { Type: 'String', AllowedValues: [DATA_REGION, 'eu-west-1'], Default: DATA_REGION },
        },
      },
    );
    expect(messages(findingsOf(byCondition), 'RES-002-no-global-tables')).toEqual([
      'is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to ap-southeast-1',
    ]);
    expect(messages(findingsOf(byParameter), 'RES-002-no-global-tables')).toEqual([
      'is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to eu-west-1',
    ]);
  });

  it('fails a setting naming a European Sovereign Cloud or ISO-E region, which the region name pattern must know', () => {
    const findings = findingsOf(
      template({
        Handler: handler({ DR_REGION: 'eusc-de-east-1', ISO_REGION: 'eu-isoe-west-1' }),
      }),
    );
    expect(messages(findings, 'RES-001-data-region')).toEqual([
      'Environment.Variables.DR_REGION names region eusc-de-east-1',
      'Environment.Variables.ISO_REGION names region eu-isoe-west-1',
    ]);
  });

  it('fails S3 replication, backup copies and a table streaming to another region', () => {
    const findings = findingsOf(
      template({
        Archive: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            ReplicationConfiguration: {
              Role: `arn:aws:iam::${ACCOUNT}:role/replication`,
              Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::archive-dr' } }],
            },
          },
        },
        Plan: {
          Type: 'AWS::Backup::BackupPlan',
          Properties: {
            BackupPlan: {
              BackupPlanName: 'daily',
              BackupPlanRule: [
                {
                  RuleName: 'daily',
                  TargetBackupVault: 'local',
                  CopyActions: [
                    { DestinationBackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:dr` },
                  ],
                },
              ],
            },
          },
        },
        Vault: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: DATA_KEY_ARN },
            KinesisStreamSpecification: {
              StreamArn: {
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
                'Fn::Sub': 'arn:${AWS::Partition}:kinesis:eu-west-1:${AWS::AccountId}:stream/copy',
              },
            },
          },
        },
      }),
    );
    expect(messages(findings, 'RES-004-no-replication')).toEqual([
      'configures S3 replication',
      'configures backup copy actions',
    ]);
    expect(messages(findings, 'RES-005-no-cross-region-destinations', 'Vault')).toEqual([
      'KinesisStreamSpecification.StreamArn arn:#{AWS.Partition}:kinesis:eu-west-1:#{AWS.AccountId}:stream/copy is in region eu-west-1',
    ]);
  });

  it('fails S3 inventory and analytics exports to a bucket that is not this template’s', () => {
    const findings = findingsOf(
      template({
        Uploads: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            InventoryConfigurations: [
              {
                Id: 'daily',
                Enabled: true,
                IncludedObjectVersions: 'Current',
                ScheduleFrequency: 'Daily',
                Destination: {
                  BucketArn: 'arn:aws:s3:::central-inventory',
                  BucketAccountId: OTHER_ACCOUNT,
                  Format: 'CSV',
                },
              },
            ],
            AnalyticsConfigurations: [
              {
                Id: 'usage',
                StorageClassAnalysis: {
                  DataExport: {
                    OutputSchemaVersion: 'V_1',
                    Destination: { BucketArn: 'arn:aws:s3:::central-analytics', Format: 'CSV' },
                  },
                },
              },
            ],
          },
        },
      }),
    );
    expect(messages(findings, 'RES-005-no-cross-region-destinations', 'Uploads')).toEqual([
      'InventoryConfigurations.0.Destination.BucketArn arn:aws:s3:::central-inventory is an S3 bucket, whose ARN names no region',
      'AnalyticsConfigurations.0.StorageClassAnalysis.DataExport.Destination.BucketArn arn:aws:s3:::central-analytics is an S3 bucket, whose ARN names no region',
    ]);
  });

  it('passes an inventory delivered to a bucket of this template', () => {
    const findings = findingsOf(
      template({
        Reports: { Type: 'AWS::S3::Bucket', Properties: {} },
        Uploads: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            InventoryConfigurations: [
              {
                Id: 'daily',
                Enabled: true,
                IncludedObjectVersions: 'Current',
                ScheduleFrequency: 'Daily',
                Destination: { BucketArn: { 'Fn::GetAtt': ['Reports', 'Arn'] }, Format: 'CSV' },
              },
            ],
          },
        },
      }),
    );
    expect(findings).toEqual([]);
  });
});

describe('destinations in other regions', () => {
  const FAILURE_QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:failures';

  it('fails a stream mapping whose failures go to another region’s queue', () => {
    const findings = findingsOf(
      template({
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            FunctionName: { Ref: 'Handler' },
            EventSourceArn: { 'Fn::GetAtt': ['Events', 'Arn'] },
            StartingPosition: 'TRIM_HORIZON',
            MaximumRetryAttempts: 3,
            MaximumRecordAgeInSeconds: 3600,
            DestinationConfig: { OnFailure: { Destination: FAILURE_QUEUE } },
          },
        },
      }),
    );
    expect(messages(findings, 'RES-005-no-cross-region-destinations')).toEqual([
      `DestinationConfig.OnFailure.Destination ${FAILURE_QUEUE} is in region eu-west-1`,
    ]);
    expect(messages(findings, 'RES-008-event-source-bounds')).toEqual([
      `has an on-failure destination outside the data region or account (${FAILURE_QUEUE})`,
    ]);
  });

  it('fails asynchronous invocation destinations, subscription filters and rule targets elsewhere', () => {
    const findings = findingsOf(
      template({
        Async: {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: {
            FunctionName: { Ref: 'Handler' },
            Qualifier: '$LATEST',
            DestinationConfig: {
              OnSuccess: {
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
                Destination: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:us-west-2:${AWS::AccountId}:done' },
              },
            },
          },
        },
        Ship: {
          Type: 'AWS::Logs::SubscriptionFilter',
          Properties: {
            LogGroupName: { Ref: 'HandlerLogs' },
            FilterPattern: '',
            DestinationArn: {
              'Fn::Join': [':', ['arn:aws:logs', 'eu-west-1', OTHER_ACCOUNT, 'destination:central']],
            },
          },
        },
        Forward: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['residency'] },
            Targets: [
              { Id: 'bus', Arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/central` },
              { Id: 'imported', Arn: { 'Fn::ImportValue': 'central-bus-arn' } },
            ],
          },
        },
      }),
    );
    const res005 = ofRule(findings, 'RES-005-no-cross-region-destinations').map(
      (f) => `${f.resource}: ${f.message}`,
    );
    expect(res005).toEqual([
      'Async: DestinationConfig.OnSuccess.Destination arn:#{AWS.Partition}:sns:us-west-2:#{AWS.AccountId}:done is in region us-west-2',
      `Ship: DestinationArn arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:destination:central is in region eu-west-1`,
      `Forward: Targets.0.Arn arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/central is in region eu-west-1`,
      'Forward: Targets.1.Arn (#{?}) cannot be resolved from the template',
    ]);
  });

  it('fails an SNS subscription delivering to a queue in another region, or in another partition', () => {
    const subscription = (endpoint: string): Json => ({
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: `arn:aws:sns:${DATA_REGION}:${ACCOUNT}:alerts`,
        Protocol: 'sqs',
        Endpoint: endpoint,
      },
    });
    const findings = findingsOf(
      template({
        Commercial: subscription(`arn:aws:sqs:us-east-1:${ACCOUNT}:copy`),
        China: subscription(`arn:aws-cn:sqs:cn-north-1:${ACCOUNT}:copy`),
        GovCloud: subscription(`arn:aws-us-gov:sqs:us-gov-west-1:${ACCOUNT}:copy`),
      }),
    );
    expect(
      ofRule(findings, 'RES-005-no-cross-region-destinations').map((f) => `${f.resource}: ${f.message}`),
    ).toEqual([
      `Commercial: Endpoint arn:aws:sqs:us-east-1:${ACCOUNT}:copy is in region us-east-1`,
      `China: Endpoint arn:aws-cn:sqs:cn-north-1:${ACCOUNT}:copy is in region cn-north-1`,
      `GovCloud: Endpoint arn:aws-us-gov:sqs:us-gov-west-1:${ACCOUNT}:copy is in region us-gov-west-1`,
    ]);
  });

  it('passes an SNS subscription whose Region is the stack’s own (AWS::Region)', () => {
    const findings = findingsOf(
      template({
        Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: DATA_KEY_ARN } },
        Copy: { Type: 'AWS::SQS::Queue', Properties: {} },
        Subscribe: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'Alerts' },
            Protocol: 'sqs',
            Endpoint: { 'Fn::GetAtt': ['Copy', 'Arn'] },
            Region: { Ref: 'AWS::Region' },
          },
        },
      }),
    );
    expect(findings).toEqual([]);
  });

  it('fails alarm actions given as one list the template cannot resolve', () => {
    const alarm = (actions: unknown): Json => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: actions,
      },
    });
    const findings = findingsOf(
      template(
        {
          FromParameter: alarm({ Ref: 'OpsTopics' }),
          FromStack: alarm({ Ref: 'AWS::NotificationARNs' }),
          FromImport: alarm({ 'Fn::Split': [',', { 'Fn::ImportValue': 'ops-topic-arns' }] }),
        },
        { Parameters: { OpsTopics: { Type: 'CommaDelimitedList' } } },
      ),
    );
    expect(
      ofRule(findings, 'RES-005-no-cross-region-destinations').map((f) => `${f.resource}: ${f.message}`),
    ).toEqual([
      'FromParameter: AlarmActions (#{OpsTopics}) cannot be resolved from the template',
      'FromStack: AlarmActions (#{AWS.NotificationARNs}) cannot be resolved from the template',
      'FromImport: AlarmActions (#{?}) cannot be resolved from the template',
    ]);
  });

  it('fails alarm actions from a list parameter whose default names another region', () => {
    const findings = findingsOf(
      template(
        {
          Errors: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: { AlarmActions: { Ref: 'OpsTopics' } },
          },
        },
        {
          Parameters: {
            OpsTopics: {
              Type: 'CommaDelimitedList',
              Default: `arn:aws:sns:${DATA_REGION}:${ACCOUNT}:ops,arn:aws:sns:eu-west-1:${ACCOUNT}:ops`,
            },
          },
        },
      ),
    );
    expect(messages(findings, 'RES-005-no-cross-region-destinations')).toEqual([
      `AlarmActions.1 arn:aws:sns:eu-west-1:${ACCOUNT}:ops is in region eu-west-1`,
    ]);
  });

  it('fails a Firehose stream delivering to an HTTP endpoint or a bucket named for another region', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/firehose`;
    const findings = findingsOf(
      template({
        ToHttp: {
          Type: 'AWS::KinesisFirehose::DeliveryStream',
          Properties: {
            HttpEndpointDestinationConfiguration: {
              EndpointConfiguration: { Url: 'https://collector.example.com/in?key=secret' },
              RoleARN: role,
              S3Configuration: { BucketARN: { 'Fn::GetAtt': ['Backup', 'Arn'] }, RoleARN: role },
            },
          },
        },
        ToBucket: {
          Type: 'AWS::KinesisFirehose::DeliveryStream',
          Properties: {
            ExtendedS3DestinationConfiguration: {
              BucketARN: 'arn:aws:s3:::analytics-eu-west-1',
              RoleARN: role,
            },
          },
        },
        Backup: { Type: 'AWS::S3::Bucket', Properties: {} },
      }),
    );
    expect(messages(findings, 'RES-013-egress-forwarder-only', 'ToHttp')).toEqual([
      'delivers records to an HTTP endpoint (https://collector.example.com/in?***), outside AWS',
    ]);
    expect(messages(findings, 'RES-005-no-cross-region-destinations', 'ToBucket')).toEqual([
      'ExtendedS3DestinationConfiguration.BucketARN arn:aws:s3:::analytics-eu-west-1 is an S3 bucket named for region eu-west-1',
    ]);
  });
});
