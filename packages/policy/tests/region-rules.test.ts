import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../src/types.ts';
import {
  ACCOUNT,
  cdkTemplate,
  check,
  dataStage,
  env,
  ofRule,
  resource,
  ruleIds,
  variant,
} from './fixtures.ts';

describe('RES-001-data-region', () => {
  it('fails a data-plane resource that names another region', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Ingest').REPLICA_ENDPOINT = 'dynamodb.eu-west-1.amazonaws.com';
    });
    expect(ofRule(check(stages), 'RES-001-data-region')).toEqual([
      expect.objectContaining({ message: 'Environment.Variables.REPLICA_ENDPOINT names region eu-west-1' }),
    ]);
  });

  it('fails a data stage deployed to another region', async () => {
    const template = cdkTemplate((stack) => new Key(stack, 'K', { enableKeyRotation: true }), 'eu-west-1');
    const findings = check([{ ...dataStage(template), region: 'eu-west-1' }]);
    expect(ofRule(findings, 'RES-001-data-region')).toContainEqual(
      expect.objectContaining({ resource: '(stage)' }),
    );
  });

  it('lets the forwarder’s allowlisted origin name the control region', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Forwarder').CONTROL_PLANE_ORIGIN = 'https://abc123.lambda-url.eu-central-1.on.aws';
    });
    expect(check(stages)).toEqual([]);
  });
});

describe('RES-002-no-global-tables', () => {
  it('fails a TableV2 with a replica (AWS::DynamoDB::GlobalTable)', () => {
    const template = cdkTemplate((stack) => {
      new TableV2(stack, 'Vault', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        replicas: [{ region: 'eu-west-1' }],
      });
    });
    expect(ofRule(check([dataStage(template)]), 'RES-002-no-global-tables')).toEqual([
      expect.objectContaining({
        message: 'is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to eu-west-1',
      }),
    ]);
  });

  it('passes a single-region TableV2 in the data region, under the stack’s key', () => {
    const template = cdkTemplate((stack) => {
      new TableV2(stack, 'Vault', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        encryption: TableEncryptionV2.customerManagedKey(new Key(stack, 'K', { enableKeyRotation: true })),
      });
    });
    const findings = check([dataStage(template)]);
    expect(ofRule(findings, 'RES-002-no-global-tables')).toEqual([]);
    expect(ofRule(findings, 'RES-007-customer-key-encryption')).toEqual([]);
    expect(ofRule(findings, 'RES-014-unknown-resource-type')).toEqual([]);
  });

  it('passes a single-region TableV2 of an environment-agnostic stack (replica in AWS::Region)', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new TableV2(stack, 'Vault', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const template = Template.fromStack(stack).toJSON() as CfnTemplate;
    expect(ofRule(check([dataStage(template)]), 'RES-002-no-global-tables')).toEqual([]);
  });

  it('fails a global table with a replica or a witness outside the data region, or replicas it cannot read', () => {
    const table = (properties: Record<string, unknown>) => ({
      Resources: { Vault: { Type: 'AWS::DynamoDB::GlobalTable', Properties: properties } },
    });
    const messages = (properties: Record<string, unknown>) =>
      ofRule(check([dataStage(table(properties))]), 'RES-002-no-global-tables').map(
        (finding) => finding.message,
      );
    expect(messages({ Replicas: [{ Region: 'ap-south-1' }, { Region: 'ap-south-2' }] })).toEqual([
      'is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to ap-south-2',
    ]);
    expect(
      messages({
        Replicas: [{ Region: 'ap-south-1' }],
        GlobalTableWitnesses: [{ Region: 'ap-southeast-1' }],
      }),
    ).toEqual(['is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to ap-southeast-1']);
    expect(messages({ Replicas: [{ Region: { Ref: 'OtherRegion' } }] })).toEqual([
      'is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to a region that cannot be resolved from the template (#{OtherRegion})',
    ]);
    expect(messages({ Replicas: { Ref: 'Replicas' } })).toEqual([
      'is a DynamoDB global table whose replica regions cannot be read from the template',
    ]);
  });

  it('checks a single-region global table like a table: its key, stream destination and resource policy', () => {
    const template = {
      Resources: {
        Vault: {
          Type: 'AWS::DynamoDB::GlobalTable',
          Properties: {
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
            Replicas: [
              {
                Region: 'ap-south-1',
                SSESpecification: { KMSMasterKeyId: 'alias/aws/dynamodb' },
                KinesisStreamSpecification: {
                  StreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/copy',
                },
                ResourcePolicy: {
                  PolicyDocument: {
                    Statement: [
                      {
                        Effect: 'Allow',
                        Principal: { AWS: 'arn:aws:iam::999999999999:root' },
                        Action: 'dynamodb:*',
                      },
                    ],
                  },
                },
              },
            ],
          },
        },
      },
    };
    expect(ruleIds(check([dataStage(template)]))).toEqual([
      'RES-001-data-region',
      'RES-005-no-cross-region-destinations',
      'RES-007-customer-key-encryption',
      'RES-011-no-external-access',
    ]);
  });

  it('fails a Table with replicationRegions (custom replica resources)', () => {
    const template = cdkTemplate((stack) => {
      new Table(stack, 'Vault', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        replicationRegions: ['eu-west-1'],
      });
    });
    expect(ofRule(check([dataStage(template)]), 'RES-002-no-global-tables').length).toBeGreaterThan(0);
  });
});

describe('RES-003-single-region-keys', () => {
  it('fails a multi-Region key', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::KMS::Key', 'DataKey').Properties.MultiRegion = true;
    });
    expect(ruleIds(check(stages))).toEqual(['RES-003-single-region-keys']);
  });

  it('fails a replica key', () => {
    const template = {
      Resources: {
        Replica: {
          Type: 'AWS::KMS::ReplicaKey',
          Properties: { PrimaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1', KeyPolicy: {} },
        },
      },
    };
    expect(ruleIds(check([dataStage(template)]))).toContain('RES-003-single-region-keys');
  });
});

describe('RES-004-no-replication', () => {
  it('fails S3 replication and secret replicas', () => {
    const template = cdkTemplate((stack) => {
      new CfnBucket(stack, 'Exports', {
        replicationConfiguration: {
          role: 'arn:aws:iam::123456789012:role/replication',
          rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::exports-copy' } }],
        },
      });
      new Secret(stack, 'IndexKey', { replicaRegions: [{ region: 'eu-west-1' }] });
    });
    const findings = ofRule(check([dataStage(template)]), 'RES-004-no-replication');
    expect(findings.map((finding) => finding.message).sort()).toEqual([
      'configures S3 replication',
      'configures secret replicas',
    ]);
  });
});

describe('RES-005-no-cross-region-destinations', () => {
  it('fails an on-failure destination in another region', async () => {
    const stages = await variant('data', (r) => {
      const config = resource(r, 'AWS::Lambda::EventInvokeConfig', 'WindowCloser').Properties;
      config.DestinationConfig = {
        OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:failures' },
      };
    });
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('is in region eu-west-1') }),
    ]);
  });

  it('fails a subscription to a stream in another account', async () => {
    const stages = await variant('data', (r) => {
      const mapping = resource(r, 'AWS::Lambda::EventSourceMapping', 'IngestKinesis').Properties;
      mapping.EventSourceArn = 'arn:aws:kinesis:ap-south-1:999999999999:stream/events';
    });
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('outside this account (999999999999)') }),
    ]);
  });

  it('fails an alarm notifying a topic in another region', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::CloudWatch::Alarm', 'QuarantineGrowth').Properties.AlarmActions = [
        'arn:aws:sns:us-east-1:123456789012:ops',
      ];
    });
    expect(ruleIds(check(stages))).toContain('RES-005-no-cross-region-destinations');
  });

  it('fails a data-plane permission on every resource', async () => {
    const stages = await variant('data', (r) => {
      const policy = resource(r, 'AWS::IAM::Policy', 'IngestServiceRoleDefaultPolicy').Properties;
      (policy.PolicyDocument as { Statement: unknown[] }).Statement.push({
        Effect: 'Allow',
        Action: 'kinesis:PutRecords',
        Resource: '*',
      });
    });
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({ message: 'allows kinesis:putrecords on every resource, in every region' }),
    ]);
  });

  it('fails a subscription filter streaming logs to another region (hand-written template)', () => {
    const template = {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } },
        Ship: {
          Type: 'AWS::Logs::SubscriptionFilter',
          Properties: {
            LogGroupName: { Ref: 'Logs' },
            FilterPattern: '',
            DestinationArn: {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
              'Fn::Sub': 'arn:${AWS::Partition}:firehose:us-west-2:${AWS::AccountId}:deliverystream/logs',
            },
          },
        },
      },
    };
    expect(ofRule(check([dataStage(template)]), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({
        resource: 'Ship',
        message: expect.stringContaining('is in region us-west-2'),
      }),
    ]);
  });
});

describe('RES-005-no-cross-region-destinations: IAM of every service', () => {
  const ingestPolicy = (r: Parameters<Parameters<typeof variant>[1]>[0]) =>
    (
      resource(r, 'AWS::IAM::Policy', 'IngestServiceRoleDefaultPolicy').Properties.PolicyDocument as {
        Statement: unknown[];
      }
    ).Statement;

  it('fails sts:AssumeRole on a role of another account', async () => {
    const stages = await variant('data', (r) => {
      ingestPolicy(r).push({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::999999999999:role/exfil',
      });
    });
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({
        message:
          'allows access to arn:aws:iam::999999999999:role/exfil, which is outside this account (999999999999)',
      }),
    ]);
  });

  it('fails wildcard actions of any service and identity, mail or log actions on every resource', async () => {
    const stages = await variant('data', (r) => {
      ingestPolicy(r).push(
        { Effect: 'Allow', Action: ['logs:*', 'iam:*', 'ses:SendEmail', 'sts:AssumeRole'], Resource: '*' },
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'cloudwatch:PutMetricData'], Resource: '*' },
      );
    });
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({
        message: 'allows logs:*, iam:*, ses:sendemail, sts:assumerole on every resource, in every region',
      }),
    ]);
  });
});

describe('RES-005-no-cross-region-destinations: managed policies of data-plane roles', () => {
  const withManaged = (...arns: unknown[]) =>
    variant('data', (r) => {
      const role = resource(r, 'AWS::IAM::Role', 'IngestServiceRole').Properties;
      role.ManagedPolicyArns = [...(role.ManagedPolicyArns as unknown[]), ...arns];
    });

  it('fails broad AWS managed policies', async () => {
    const stages = await withManaged(
      'arn:aws:iam::aws:policy/AdministratorAccess',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess' },
      'arn:aws:iam::aws:policy/PowerUserAccess',
      'arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole',
    );
    expect(ofRule(check(stages), 'RES-005-no-cross-region-destinations').map((f) => f.message)).toEqual(
      [
        'AdministratorAccess',
        'AmazonS3FullAccess',
        'PowerUserAccess',
        'service-role/AWSLambdaKinesisExecutionRole',
      ].map(
        (name) =>
          `carries the AWS managed policy ${name}, which grants access to every resource, in every region`,
      ),
    );
  });

  it('fails a managed policy of another account, and reviews any other managed policy', async () => {
    const stages = await withManaged(
      'arn:aws:iam::999999999999:policy/partner',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:policy/team-data' },
    );
    const findings = check(stages);
    expect(ofRule(findings, 'RES-005-no-cross-region-destinations').map((f) => f.message)).toEqual([
      'carries the managed policy arn:aws:iam::999999999999:policy/partner, which is outside this account (999999999999)',
    ]);
    expect(ofRule(findings, 'RES-015-unreadable-template-parts').map((f) => f.message)).toEqual([
      'carries the AWS managed policy AmazonEC2ContainerRegistryPullOnly, whose statements are not in the template',
      'carries the managed policy arn:aws:iam::#{AWS.AccountId}:policy/team-data, whose statements are not in the template',
    ]);
  });
});

describe('RES-005-no-cross-region-destinations: buckets of this template', () => {
  const grant = (resource: unknown, bucketName?: string) => ({
    Resources: {
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: bucketName === undefined ? {} : { BucketName: bucketName },
      },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Pol: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }] },
        },
      },
    },
  });
  const res005 = (template: ReturnType<typeof grant>) =>
    ofRule(check([dataStage(template)]), 'RES-005-no-cross-region-destinations').map((f) => f.message);

  it('passes a literal or referenced ARN of a bucket defined here, and fails any other bucket', () => {
    expect(res005(grant('arn:aws:s3:::acme-data-ap-south-1/*', 'acme-data-ap-south-1'))).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    expect(res005(grant({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' }))).toEqual([]);
    expect(res005(grant('arn:aws:s3:::someone-else/*', 'acme-data-ap-south-1'))).toEqual([
      'allows access to arn:aws:s3:::someone-else/*, which is an S3 bucket, whose ARN names no region',
    ]);
  });
});

describe('RES-005-no-cross-region-destinations: AWS::IAM::RolePolicy', () => {
  it('checks a standalone role policy like any other identity policy (not as an unknown type)', () => {
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        RP: {
          Type: 'AWS::IAM::RolePolicy',
          Properties: {
            RoleName: { Ref: 'Role' },
            PolicyName: 'all',
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        },
      },
    };
    expect(check([dataStage(template)]).map((f) => [f.ruleId, f.resource, f.message])).toEqual([
      ['RES-005-no-cross-region-destinations', 'RP', 'allows * on every resource, in every region'],
    ]);
  });
});

describe('RES-005-no-cross-region-destinations: Firehose delivery streams', () => {
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/firehose`;
  const stream = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    Resources: { Export: { Type: 'AWS::KinesisFirehose::DeliveryStream', Properties: properties }, ...extra },
  });
  const toBucket = (bucketArn: unknown) =>
    stream({ ExtendedS3DestinationConfiguration: { BucketARN: bucketArn, RoleARN: ROLE } });
  const findings = (template: CfnTemplate) =>
    check([dataStage(template)], { account: ACCOUNT }).map((f) => [f.ruleId, f.message]);

  it('passes delivery to a bucket of this template, by GetAtt or by its name', () => {
    const bucket = { Exports: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'acme-exports' } } };
    expect(
      findings({ Resources: { ...toBucket({ 'Fn::GetAtt': ['Exports', 'Arn'] }).Resources, ...bucket } }),
    ).toEqual([]);
    expect(
      findings({ Resources: { ...toBucket('arn:aws:s3:::acme-exports').Resources, ...bucket } }),
    ).toEqual([]);
  });

  it('fails delivery to a bucket whose name carries another account or region', () => {
    expect(findings(toBucket('arn:aws:s3:::exports-999999999999'))).toEqual([
      [
        'RES-005-no-cross-region-destinations',
        'ExtendedS3DestinationConfiguration.BucketARN arn:aws:s3:::exports-999999999999 is an S3 bucket named for an account outside this account (999999999999)',
      ],
    ]);
    expect(findings(toBucket('arn:aws:s3:::exports-eu-west-1')).map(([rule]) => rule)).toEqual([
      'RES-001-data-region',
      'RES-005-no-cross-region-destinations',
    ]);
  });

  it('fails delivery to a bucket another checked stage declares in another region', async () => {
    const stages = await variant('data', (r) => {
      Object.assign(r, toBucket('arn:aws:s3:::analytics-exports').Resources);
    });
    const control = stages.find((stage) => stage.plane === 'control')!;
    (control.template.Resources as Record<string, unknown>).Analytics = {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: 'analytics-exports' },
    };
    expect(ofRule(check(stages, { account: ACCOUNT }), 'RES-005-no-cross-region-destinations')).toEqual([
      expect.objectContaining({
        resource: 'Export',
        message: expect.stringContaining(`is the S3 bucket of stage ${control.name}, in region eu-central-1`),
      }),
    ]);
  });

  it('leaves a bucket whose owner cannot be told to review (RES-015), not to pass or fail', () => {
    expect(findings(toBucket('arn:aws:s3:::someone-elses-bucket'))).toEqual([
      [
        'RES-015-unreadable-template-parts',
        'ExtendedS3DestinationConfiguration.BucketARN arn:aws:s3:::someone-elses-bucket is an S3 bucket that is not this template’s, and its ARN names no account or region, so whether records stay in the data region and account was not checked',
      ],
    ]);
    expect(findings(toBucket({ Ref: 'BucketArn' })).map(([rule]) => rule)).toEqual([
      'RES-015-unreadable-template-parts',
    ]);
  });

  it('fails a source stream, domain or key in another region or account', () => {
    const template = stream(
      {
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: {
          KinesisStreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events',
          RoleARN: ROLE,
        },
        AmazonopensearchserviceDestinationConfiguration: {
          DomainARN: 'arn:aws:es:ap-south-1:999999999999:domain/logs',
          IndexName: 'records',
          RoleARN: ROLE,
          S3Configuration: { BucketARN: { 'Fn::GetAtt': ['Backup', 'Arn'] }, RoleARN: ROLE },
        },
      },
      { Backup: { Type: 'AWS::S3::Bucket', Properties: {} } },
    );
    expect(
      ofRule(check([dataStage(template)], { account: ACCOUNT }), 'RES-005-no-cross-region-destinations').map(
        (f) => f.message,
      ),
    ).toEqual([
      'KinesisStreamSourceConfiguration.KinesisStreamARN arn:aws:kinesis:eu-west-1:123456789012:stream/events is in region eu-west-1',
      'AmazonopensearchserviceDestinationConfiguration.DomainARN arn:aws:es:ap-south-1:999999999999:domain/logs is outside this account (999999999999)',
    ]);
  });

  it('fails delivery outside AWS (RES-013), quoting the endpoint without its secrets', () => {
    const template = stream(
      {
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: 'https://intake.example.com/v1?api_key=abc', AccessKey: 'k' },
          S3Configuration: { BucketARN: { 'Fn::GetAtt': ['Backup', 'Arn'] }, RoleARN: ROLE },
        },
      },
      { Backup: { Type: 'AWS::S3::Bucket', Properties: {} } },
    );
    expect(findings(template)).toEqual([
      [
        'RES-013-egress-forwarder-only',
        'delivers records to an HTTP endpoint (https://intake.example.com/v1?***), outside AWS',
      ],
    ]);
  });

  it('reviews a destination named by endpoint, and a source or destination no rule reads', () => {
    const template = stream(
      {
        ElasticsearchDestinationConfiguration: {
          ClusterEndpoint: 'https://search-logs-abc.ap-south-1.es.amazonaws.com',
          IndexName: 'records',
          RoleARN: ROLE,
          S3Configuration: { BucketARN: { 'Fn::GetAtt': ['Backup', 'Arn'] }, RoleARN: ROLE },
        },
        DatabaseSourceConfiguration: { Type: 'MySQL', Endpoint: 'db.example.internal' },
      },
      { Backup: { Type: 'AWS::S3::Bucket', Properties: {} } },
    );
    expect(findings(template)).toEqual([
      [
        'RES-015-unreadable-template-parts',
        'ElasticsearchDestinationConfiguration.ClusterEndpoint (https://search-logs-abc.ap-south-1.es.amazonaws.com) names a destination by its endpoint, which does not say whose it is',
      ],
      [
        'RES-015-unreadable-template-parts',
        'DatabaseSourceConfiguration is a source or destination no residency rule reads',
      ],
    ]);
  });
});
