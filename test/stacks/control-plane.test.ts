import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_LEASE_MILLIS } from '../../packages/control-plane/src/index.ts';
import { actionsByResource, idOf, idsOfType, type StageUnderTest, synthesizePlane } from './helpers.ts';

const PUBLIC_KEYS = JSON.stringify({
  k1: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAvrwRiBDYCVpF0pk6ONEQNWI9ldlO1sqGIBqiNl+rXLc=\n-----END PUBLIC KEY-----\n',
});

describe('ControlPlane stack', () => {
  let control: StageUnderTest;

  beforeAll(async () => {
    control = await synthesizePlane('control', {
      env: { RESIDENCY_CONTROL_REGION: 'eu-west-3', RESIDENCY_SIGNING_PUBLIC_KEYS: PUBLIC_KEYS },
    });
  });

  it('deploys to the configured control region', () => {
    expect(control.region).toBe('eu-west-3');
    expect(control.stackName).toBe('check-control-residency-ControlPlane');
  });

  it('serves signed-batch ingest on a function URL and the query API behind IAM', () => {
    const ingest = idOf(control, 'AWS::Lambda::Function', 'ControlIngest');
    const query = idOf(control, 'AWS::Lambda::Function', 'Query');
    control.template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [ingest, 'Arn'] },
      AuthType: 'NONE',
    });
    control.template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [query, 'Arn'] },
      AuthType: 'AWS_IAM',
    });
    control.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SIGNING_PUBLIC_KEYS: PUBLIC_KEYS, CONTROL_REGION: 'eu-west-3' }),
      },
    });
  });

  it('keeps its own tables with point-in-time recovery and no replicas', () => {
    control.template.resourceCountIs('AWS::DynamoDB::Table', 5);
    control.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    control.template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('expires records, released cells and batch summaries by their expiresAt, never counters or alerts', async () => {
    const ttlOf = (stage: StageUnderTest, table: string) =>
      stage.json.Resources[idOf(stage, 'AWS::DynamoDB::Table', table)]?.Properties?.TimeToLiveSpecification;
    const expiring = ['Records', 'ControlAggregates', 'Batches'];
    for (const table of expiring)
      expect(ttlOf(control, table), table).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    for (const table of ['Counters', 'Alerts']) expect(ttlOf(control, table), table).toBeUndefined();
    // No retention set: nothing is stamped.
    const retentionOf = (stage: StageUnderTest) => {
      const ingest = stage.json.Resources[idOf(stage, 'AWS::Lambda::Function', 'ControlIngest')];
      const variables = (
        ingest?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      return variables?.RETENTION_DAYS;
    };
    expect(retentionOf(control)).toBeUndefined();
    const kept = await synthesizePlane('control', {
      env: {
        RESIDENCY_CONTROL_REGION: 'eu-west-3',
        RESIDENCY_SIGNING_PUBLIC_KEYS: PUBLIC_KEYS,
        RESIDENCY_CONTROL_RETENTION_DAYS: '400',
      },
    });
    expect(retentionOf(kept)).toBe('400');
  });

  it('times the ingest out before its claim on a batch lapses', () => {
    // A delivery still running when its claim lapses could be taken over while it moves totals.
    const ingest = control.json.Resources[idOf(control, 'AWS::Lambda::Function', 'ControlIngest')];
    const timeoutSeconds = Number(ingest?.Properties?.Timeout);
    expect(timeoutSeconds).toBeGreaterThan(0);
    expect(timeoutSeconds * 1000).toBeLessThan(DEFAULT_BATCH_LEASE_MILLIS);
  });

  it('runs nodejs22.x on arm64 with retained logs', () => {
    for (const fn of ['ControlIngest', 'Query']) {
      control.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: { Ref: idOf(control, 'AWS::Logs::LogGroup', `${fn}Logs`) } },
      });
    }
    control.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('has no permission of any kind outside its own tables', () => {
    const tables = new Set(idsOfType(control, 'AWS::DynamoDB::Table'));
    for (const fn of ['ControlIngest', 'Query']) {
      const targets = [...actionsByResource(control, fn).keys()];
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(tables.has(target), `${fn} → ${target}`).toBe(true);
    }
    const policies = JSON.stringify(
      idsOfType(control, 'AWS::IAM::Policy').map((id) => control.json.Resources[id]),
    );
    expect(policies).not.toMatch(/kms:|kinesis:|ap-south-1|"Resource":"\*"/);
    control.template.resourceCountIs('AWS::KMS::Key', 0);
    control.template.resourceCountIs('AWS::Kinesis::Stream', 0);
  });

  it('lets the query function only read', () => {
    for (const actions of actionsByResource(control, 'Query').values()) {
      expect([...actions].sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ]);
    }
  });
});
