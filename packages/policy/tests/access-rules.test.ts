import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, CompositePrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  cdkTemplate,
  check,
  env,
  id,
  ofRule,
  ownStages,
  resource,
  ruleIds,
  variant,
} from './fixtures.ts';

type Statement = Record<string, unknown>;

function keyStatements(resources: Parameters<typeof resource>[0]): Statement[] {
  return (resource(resources, 'AWS::KMS::Key', 'DataKey').Properties.KeyPolicy as { Statement: Statement[] })
    .Statement;
}

describe('RES-010-key-policy', () => {
  it('fails a key policy that lets the account root decrypt (so any IAM principal, control plane included)', async () => {
    const stages = await variant('data', (r) => {
      const admin = keyStatements(r).find((s) => s.Sid === 'AccountAdministersButDoesNotUse')!;
      admin.Action = 'kms:*';
    });
    expect(ruleIds(check(stages))).toEqual(['RES-010-key-policy']);
  });

  it('fails a key policy that grants another account', async () => {
    const stages = await variant('data', (r) => {
      keyStatements(r).push({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999999999999:root' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    });
    expect(ofRule(check(stages), 'RES-010-key-policy')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('outside this account (999999999999)') }),
    ]);
  });

  it('fails a role of the account that is not a role of this stage', async () => {
    const stages = await variant('data', (r) => {
      keyStatements(r).push({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` },
        Action: ['kms:Decrypt'],
        Resource: '*',
      });
    });
    expect(ofRule(check(stages), 'RES-010-key-policy')).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('role/analytics, which is not a role of this stage'),
      }),
    ]);
  });

  it('fails the default key policy', async () => {
    const stages = await variant('data', (r) => {
      delete resource(r, 'AWS::KMS::Key', 'DataKey').Properties.KeyPolicy;
    });
    expect(ruleIds(check(stages))).toEqual(['RES-010-key-policy']);
  });
});

describe('RES-011-no-external-access', () => {
  it('fails a service permission whose source account or source ARN is another account', async () => {
    const stages = await variant('data', (r) => {
      const schedule = resource(
        r,
        'AWS::Lambda::Permission',
        'WindowCloserScheduleAllowEventRule',
      ).Properties;
      schedule.SourceArn = 'arn:aws:events:ap-south-1:999999999999:rule/theirs';
      r.FromBucket = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          ...schedule,
          Principal: 's3.amazonaws.com',
          SourceArn: undefined,
          SourceAccount: '999999999999',
        },
      };
      r.AnyBucket = {
        Type: 'AWS::Lambda::Permission',
        Properties: { ...schedule, Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::some-bucket' },
      };
    });
    expect(
      ofRule(check(stages), 'RES-011-no-external-access').map((f) => [
        f.resource.replace(/[0-9A-F]{8,}$/, ''),
        f.message,
      ]),
    ).toEqual([
      [
        'WindowCloserScheduleAllowEventRulecheckdataresidencyDataPlaneWindowCloser',
        'lets the service events.amazonaws.com invoke a data-plane function, but its source arn:aws:events:ap-south-1:999999999999:rule/theirs is outside this account (999999999999)',
      ],
      [
        'FromBucket',
        'lets the service s3.amazonaws.com invoke a data-plane function, but its source account 999999999999 is outside this account (999999999999)',
      ],
      [
        'AnyBucket',
        "lets the service s3.amazonaws.com invoke a data-plane function, but its source arn:aws:s3:::some-bucket names no account (an S3 bucket may be anyone's) and no source account is given",
      ],
    ]);
  });

  it('fails a resource policy granting a service on condition of another account as source', async () => {
    const stages = await variant('data', (r) => {
      r.QueuePolicy = {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: id(r, 'AWS::SQS::Queue', 'IngestFailures') }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: '*',
                Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:ap-south-1:999999999999:t' } },
              },
            ],
          },
        },
      };
    });
    expect(ofRule(check(stages), 'RES-011-no-external-access')).toEqual([
      expect.objectContaining({
        resource: 'QueuePolicy',
        message:
          'grants the service sns.amazonaws.com access, but its source arn:aws:sns:ap-south-1:999999999999:t is outside this account (999999999999)',
      }),
    ]);
  });

  it('fails a public invoke permission on vault-admin', async () => {
    const stages = await variant('data', (r) => {
      resource(r, 'AWS::Lambda::Permission', 'VaultAdminDetokenizer0').Properties.Principal = '*';
    });
    expect(ruleIds(check(stages))).toEqual(['RES-011-no-external-access']);
  });

  it('fails a public function URL on a data-plane function', async () => {
    const stages = await variant('data', (r) => {
      r.VaultAdminUrl = {
        Type: 'AWS::Lambda::Url',
        Properties: {
          AuthType: 'NONE',
          TargetFunctionArn: { 'Fn::GetAtt': [id(r, 'AWS::Lambda::Function', 'VaultAdmin'), 'Arn'] },
        },
      };
    });
    expect(ofRule(check(stages), 'RES-011-no-external-access')).toEqual([
      expect.objectContaining({ resource: 'VaultAdminUrl' }),
    ]);
  });

  it('fails a stream resource policy that lets another account read the events stream', async () => {
    const stages = await variant('data', (r) => {
      r.EventsPolicy = {
        Type: 'AWS::Kinesis::ResourcePolicy',
        Properties: {
          ResourceArn: { 'Fn::GetAtt': [id(r, 'AWS::Kinesis::Stream', 'Events'), 'Arn'] },
          ResourcePolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: '999999999999' },
                Action: 'kinesis:GetRecords',
                Resource: '*',
              },
            ],
          },
        },
      };
    });
    expect(ofRule(check(stages), 'RES-011-no-external-access')).toEqual([
      expect.objectContaining({ resource: 'EventsPolicy', message: expect.stringContaining('999999999999') }),
    ]);
  });

  it('fails a role that another account can assume', () => {
    const template = cdkTemplate((stack) => {
      const assumedBy = new CompositePrincipal(
        new ServicePrincipal('lambda.amazonaws.com'),
        new AccountPrincipal('999999999999'),
      );
      new Role(stack, 'Reader', { assumedBy });
    });
    const findings = ofRule(
      check([{ name: 'variant', plane: 'data', template, account: ACCOUNT }]),
      'RES-011-no-external-access',
    );
    expect(findings).toEqual([
      expect.objectContaining({ message: expect.stringContaining('assume this role') }),
    ]);
  });
});

describe('RES-012-control-plane-isolation', () => {
  it('fails a control-plane role that reads the vault', async () => {
    const stages = await variant('control', (r) => {
      const policy = resource(r, 'AWS::IAM::Policy', 'QueryServiceRoleDefaultPolicy').Properties;
      (policy.PolicyDocument as { Statement: Statement[] }).Statement.push({
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: `arn:aws:dynamodb:ap-south-1:${ACCOUNT}:table/check-data-residency-DataPlane-Vault`,
      });
    });
    expect(ofRule(check(stages), 'RES-012-control-plane-isolation')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('in the data region') }),
    ]);
  });

  it('fails a control-plane stack built with CDK that grants itself the vault by ARN', async () => {
    const control = cdkTemplate((stack) => {
      const vault = Table.fromTableArn(stack, 'Vault', `arn:aws:dynamodb:ap-south-1:${ACCOUNT}:table/vault`);
      vault.grantReadData(
        new Role(stack, 'Dashboard', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
      );
    }, 'eu-central-1');
    const [data] = await ownStages();
    const findings = check([
      data!,
      { name: 'control', plane: 'control', template: control, region: 'eu-central-1', account: ACCOUNT },
    ]);
    expect(ruleIds(findings)).toEqual(['RES-012-control-plane-isolation']);
  });

  it('fails a control-plane role with kms on every resource or a broad managed policy', async () => {
    const stages = await variant('control', (r) => {
      const role = resource(r, 'AWS::IAM::Role', 'ControlIngestServiceRole').Properties;
      (role.ManagedPolicyArns as unknown[]).push('arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess');
      role.Policies = [
        {
          PolicyName: 'decrypt',
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] },
        },
      ];
    });
    expect(
      ofRule(check(stages), 'RES-012-control-plane-isolation')
        .map((finding) => finding.message)
        .sort(),
    ).toEqual([
      'allows kms:decrypt on every resource, data-plane ones included',
      'carries managed policy arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess, which may reach data-plane resources',
    ]);
  });

  it('fails a data-plane key policy that names a control-plane role', async () => {
    const stages = structuredClone(await ownStages());
    const [data, control] = stages as [(typeof stages)[0], (typeof stages)[0]];
    const controlResources = control.template.Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    resource(controlResources, 'AWS::IAM::Role', 'QueryServiceRole').Properties.RoleName =
      'residency-dashboard';
    keyStatements(data.template.Resources as never).push({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/residency-dashboard` },
      Action: 'kms:DescribeKey',
      Resource: '*',
    });
    expect(ofRule(check(stages), 'RES-012-control-plane-isolation')).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('grants the control-plane role residency-dashboard'),
      }),
    ]);
  });

  it('is not evaluated on a control template checked without a data stage', async () => {
    const [, control] = await ownStages();
    expect(check([control!])).toEqual([]);
  });
});

describe('RES-013-egress-forwarder-only', () => {
  it('fails a function other than the forwarder with a destination', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'WindowCloser').WEBHOOK_URL = 'https://hooks.example.net/closer';
    });
    expect(ofRule(check(stages), 'RES-013-egress-forwarder-only')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('not the forwarder') }),
    ]);
  });

  it('fails a URL inside JSON and a host:port in a broker list, naming only host and port', async () => {
    const stages = await variant('data', (r) => {
      const variables = env(r, 'WindowCloser');
      variables.SINK_CONFIG = '{"endpoint":"https://svc:hunter2@collector.example.com/ingest?token=abc"}';
      variables.KAFKA_BROKERS = 'broker.example.com:9092,10.0.0.7:9092';
    });
    const messages = ofRule(check(stages), 'RES-013-egress-forwarder-only').map((finding) => finding.message);
    expect(messages).toEqual([
      'SINK_CONFIG holds a URL to https://collector.example.com, a destination for a function that is not the forwarder',
      'KAFKA_BROKERS holds the address broker.example.com:9092, a destination for a function that is not the forwarder',
      'KAFKA_BROKERS holds the address 10.0.0.7:9092, a destination for a function that is not the forwarder',
    ]);
    expect(messages.join('\n')).not.toMatch(/hunter2|token=|ingest/);
  });

  it('passes ARNs, timestamps, key=value lists, loopback and service endpoints of the data region', async () => {
    const stages = await variant('data', (r) => {
      Object.assign(env(r, 'WindowCloser'), {
        TOPIC_ARN: 'arn:aws:sns:ap-south-1:123456789012:alerts',
        FUNCTION_ARN: 'arn:aws:lambda:ap-south-1:123456789012:function:closer.v2:1',
        SINCE: '2024-05-01T12:30:00.000Z',
        TAGS: 'team=data;tier=1,ratio=1:2',
        LOCAL_AGENT: 'localhost:2773,127.0.0.1:4317,[::1]:8125',
        SQS_ENDPOINT: 'sqs.ap-south-1.amazonaws.com:443',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        KMS_ENDPOINT: { 'Fn::Sub': 'kms.${AWS::Region}.${AWS::URLSuffix}:443' },
      });
    });
    expect(ofRule(check(stages), 'RES-013-egress-forwarder-only')).toEqual([]);
  });

  it('fails a host:port that is another region’s endpoint, a resource’s name, or unresolvable', async () => {
    const stages = await variant('data', (r) => {
      Object.assign(env(r, 'WindowCloser'), {
        OTHER: 'sqs.eu-west-1.amazonaws.com:443',
        SOMEONES: 'ec2-3-6-1-2.ap-south-1.compute.amazonaws.com:8080',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        HIDDEN: { 'Fn::Sub': '${Broker}:9092' },
      });
    });
    expect(
      ofRule(check(stages), 'RES-013-egress-forwarder-only').map((finding) => finding.message.split(',')[0]),
    ).toEqual([
      'OTHER holds the address sqs.eu-west-1.amazonaws.com:443',
      'SOMEONES holds the address ec2-3-6-1-2.ap-south-1.compute.amazonaws.com:8080',
      'HIDDEN holds the address #{Broker}:9092',
    ]);
  });

  it('fails bare host names and single-label host:port in values of any shape', async () => {
    const stages = await variant('data', (r) => {
      Object.assign(env(r, 'WindowCloser'), {
        BROKER: 'kafka.example.com',
        SINK_CONFIG: '{"host":"collector.eu-west-1.example.net","path":"/in"}',
        CACHE: 'redis:6379',
        BROKERS: 'kafka:9092,kafka-2:9092',
      });
    });
    expect(
      ofRule(check(stages), 'RES-013-egress-forwarder-only').map((finding) => finding.message.split(',')[0]),
    ).toEqual([
      'BROKER holds the address kafka.example.com',
      'SINK_CONFIG holds the address collector.eu-west-1.example.net',
      'CACHE holds the address redis:6379',
      'BROKERS holds the address kafka:9092',
      'BROKERS holds the address kafka-2:9092',
    ]);
  });

  it('passes dotted names that are not hosts: handlers, files, versions, fields, table names, endpoints of the data region', async () => {
    const stages = await variant('data', (r) => {
      Object.assign(env(r, 'WindowCloser'), {
        HANDLER: 'index.handler',
        ENTRY: 'app.js',
        SCRIPT: 'main.py',
        VERSION: '1.2.3',
        TABLE: 'events-table',
        FIELDS: 'patient.id,created.at',
        KAFKA_OPTS: 'linger.ms=5',
        RUNTIME: 'node:22',
        RETRIES: 'retries:3',
        JAVA_HANDLER: 'com.example.Handler::handleRequest',
        DYNAMODB_ENDPOINT: 'dynamodb.ap-south-1.amazonaws.com',
        WORD: 'residency',
        COUNT: '42',
      });
    });
    expect(ofRule(check(stages), 'RES-013-egress-forwarder-only')).toEqual([]);
  });

  it('quotes a bad origin and an external endpoint without userinfo, query or fragment', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Forwarder').CONTROL_PLANE_ORIGIN = 'https://user:secret@control.example.com/in?token=abc#frag';
      r.Page = {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          Protocol: 'https',
          TopicArn: 'x',
          Endpoint: 'https://pager:pw@pager.example.net/hook?key=k',
        },
      };
    });
    const messages = ofRule(check(stages), 'RES-013-egress-forwarder-only').map((finding) => finding.message);
    expect(messages).toEqual([
      'CONTROL_PLANE_ORIGIN "https://***@control.example.com" carries credentials; write "https://control.example.com"',
      'delivers notifications over https to https://***@pager.example.net/hook?***',
    ]);
    expect(JSON.stringify(check(stages))).not.toMatch(/secret|token|frag|pager:pw|key=k/);
  });

  it('shows nothing of an origin that is no http(s) URL, not even a user name read as its scheme', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Forwarder').CONTROL_PLANE_ORIGIN = 'svc:secret@control.example.com';
    });
    const findings = ofRule(check(stages), 'RES-013-egress-forwarder-only');
    expect(findings.map((finding) => finding.message)).toEqual([
      'CONTROL_PLANE_ORIGIN is not an http(s) URL (not shown); write https://host[:port]',
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/svc|secret/);
  });

  it('keeps the forwarder’s origin and fails a second address beside it', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Forwarder').FALLBACK = 'control-plane.example.com:443';
    });
    expect(ofRule(check(stages), 'RES-013-egress-forwarder-only')).toEqual([
      expect.objectContaining({
        message:
          'FALLBACK holds the address control-plane.example.com:443, a destination outside the allowlist',
      }),
    ]);
  });

  it('fails a forwarder whose allowlist is empty, plain http, or a path', async () => {
    for (const origin of ['', 'http://control.example.com', 'https://control.example.com/ingest']) {
      const stages = await variant('data', (r) => {
        env(r, 'Forwarder').CONTROL_PLANE_ORIGIN = origin;
      });
      expect(ruleIds(check(stages)), origin).toEqual(['RES-013-egress-forwarder-only']);
    }
  });

  it('passes a bare origin with its own port, and fails the default port (as the forwarder does), query, fragment or credentials', async () => {
    const origins = {
      'https://abc.lambda-url.eu-central-1.on.aws': [],
      'https://abc.lambda-url.eu-central-1.on.aws:443': ['RES-013-egress-forwarder-only'],
      'HTTPS://control.example.com': ['RES-013-egress-forwarder-only'],
      'https://abc.lambda-url.ap-south-1.on.aws': ['RES-013-egress-forwarder-only'],
      'https://control.example.com:8443/': [],
      'https://control.example.com?to=elsewhere': ['RES-013-egress-forwarder-only'],
      'https://control.example.com#x': ['RES-013-egress-forwarder-only'],
      'https://user@control.example.com': ['RES-013-egress-forwarder-only'],
    };
    for (const [origin, expected] of Object.entries(origins)) {
      const stages = await variant('data', (r) => {
        env(r, 'Forwarder').CONTROL_PLANE_ORIGIN = origin;
      });
      expect(ruleIds(check(stages)), origin).toEqual(expected);
    }
  });

  it('fails a second function holding an allowlist', async () => {
    const stages = await variant('data', (r) => {
      env(r, 'Ingest').CONTROL_PLANE_ORIGIN = 'https://control-plane.example.com';
    });
    expect(ofRule(check(stages), 'RES-013-egress-forwarder-only')).toHaveLength(2);
  });

  it('fails a NAT gateway and an external SNS subscription in the data plane', async () => {
    const stages = await variant('data', (r) => {
      r.Nat = { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: 'subnet-1' } };
      r.Page = {
        Type: 'AWS::SNS::Subscription',
        Properties: { Protocol: 'https', TopicArn: 'x', Endpoint: 'https://pager.example.net' },
      };
    });
    expect(
      ofRule(check(stages), 'RES-013-egress-forwarder-only')
        .map((finding) => finding.resource)
        .sort(),
    ).toEqual(['Nat', 'Page']);
  });
});

describe('RES-014-unknown-resource-type', () => {
  it('reports a type no rule knows for review, not as passed', async () => {
    const stages = await variant('data', (r) => {
      r.Export = { Type: 'AWS::AppFlow::Flow', Properties: {} };
    });
    const findings = check(stages);
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'RES-014-unknown-resource-type',
        severity: 'review',
        resource: 'Export',
      }),
    ]);
    expect(check(stages, { acceptTypes: ['AWS::AppFlow::Flow'] })).toEqual([]);
  });

  it('is quiet on our own stacks, whose types are all known', async () => {
    expect(ofRule(check(await ownStages()), 'RES-014-unknown-resource-type')).toEqual([]);
  });
});
