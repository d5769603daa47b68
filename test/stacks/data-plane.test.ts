import { LOADTEST_DEFAULTS as loadtestDefaults, VAULT_TARGET_UTILIZATION } from '@residency/loadtest';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../packages/policy/src/index.ts';
import {
  actionsByResource,
  idOf,
  idsOfType,
  referencedIds,
  type StageUnderTest,
  synthesizePlane,
} from './helpers.ts';

const FUNCTIONS = ['Ingest', 'Forwarder', 'WindowCloser', 'VaultAdmin'] as const;
const TABLES = ['Vault', 'Audit', 'Aggregates', 'Quarantine', 'EgressLog'] as const;
/** What each handler reads (and fails closed without), and nothing more. */
const ENV: Readonly<Record<(typeof FUNCTIONS)[number], readonly string[]>> = {
  Ingest: [
    'DATA_REGION',
    'KEY_ARN',
    'EVENTS_STREAM_NAME',
    'OUTBOX_STREAM_NAME',
    'VAULT_TABLE',
    'AUDIT_TABLE',
    'AGGREGATES_TABLE',
    'QUARANTINE_TABLE',
    'AGGREGATE_RECENT_EVENTS',
    'AGGREGATE_RETENTION_DAYS',
    'QUARANTINE_RETENTION_DAYS',
  ],
  Forwarder: [
    'DATA_REGION',
    'KEY_ARN',
    'OUTBOX_STREAM_NAME',
    'OUTBOX_STREAM_ARN',
    'QUARANTINE_TABLE',
    'QUARANTINE_TABLE_ARN',
    'EGRESS_LOG_TABLE',
    'EGRESS_LOG_TABLE_ARN',
    'CONTROL_PLANE_ORIGIN',
    'SIGNING_KEY_PARAMETER',
  ],
  WindowCloser: ['DATA_REGION', 'KEY_ARN', 'OUTBOX_STREAM_NAME', 'AGGREGATES_TABLE'],
  VaultAdmin: [
    'DATA_REGION',
    'KEY_ARN',
    'VAULT_TABLE',
    'AUDIT_TABLE',
    'OUTBOX_STREAM_NAME',
    'DETOKENIZE_PRINCIPALS',
  ],
};

describe('DataPlane stack', () => {
  let data: StageUnderTest;
  let keyId: string;

  beforeAll(async () => {
    data = await synthesizePlane('data', {
      env: {
        RESIDENCY_DATA_REGION: 'ap-south-1',
        RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
        RESIDENCY_DETOKENIZE_ROLES: 'auditor,dpo',
      },
    });
    keyId = idOf(data, 'AWS::KMS::Key', 'DataKey');
  });

  it('deploys to the configured data region', () => {
    expect(data.region).toBe('ap-south-1');
    expect(data.stackName).toBe('check-data-residency-DataPlane');
  });

  describe('key', () => {
    it('is one rotating, single-Region, symmetric customer key', () => {
      data.template.resourceCountIs('AWS::KMS::Key', 1);
      data.template.resourceCountIs('AWS::KMS::ReplicaKey', 0);
      data.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        MultiRegion: false,
        KeySpec: Match.absent(),
      });
      data.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });

    it('lets the account administer but not use the key', () => {
      const policy = data.json.Resources[keyId]?.Properties?.KeyPolicy as {
        Statement: Record<string, unknown>[];
      };
      const admin = policy.Statement.find((s) => s.Sid === 'AccountAdministersButDoesNotUse');
      const actions = admin?.Action as string[];
      expect(actions).toContain('kms:Put*');
      for (const use of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:*']) {
        expect(actions).not.toContain(use);
      }
    });

    it('grants use to exactly the four function roles, and deployment only via DynamoDB and Kinesis in region', () => {
      const policy = data.json.Resources[keyId]?.Properties?.KeyPolicy as {
        Statement: Record<string, unknown>[];
      };
      const use = policy.Statement.find((s) => s.Sid === 'StageFunctionsUseTheKey');
      const roles = [...referencedIds(use?.Principal)].sort();
      expect(roles).toEqual(FUNCTIONS.map((fn) => idOf(data, 'AWS::IAM::Role', `${fn}ServiceRole`)).sort());
      const deploy = policy.Statement.find((s) => s.Sid === 'DeploymentCreatesEncryptedTablesAndStreams');
      expect(deploy?.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': ['dynamodb.ap-south-1.amazonaws.com', 'kinesis.ap-south-1.amazonaws.com'],
        },
      });
      expect(policy.Statement).toHaveLength(3);
    });
  });

  describe('producers', () => {
    const PRODUCERS = [
      'arn:aws:iam::123456789012:role/clinicbook',
      'arn:aws:iam::123456789012:role/apps/payroll',
    ];
    let producing: StageUnderTest;
    const keyPolicyOf = (stage: StageUnderTest) =>
      stage.json.Resources[idOf(stage, 'AWS::KMS::Key', 'DataKey')]?.Properties?.KeyPolicy as {
        Statement: Record<string, unknown>[];
      };
    /** The events stream's ARN as deployed: from its fixed name, partition `aws`. */
    const eventsArnOf = (stage: StageUnderTest) => {
      const name = stage.json.Resources[idOf(stage, 'AWS::Kinesis::Stream', 'Events')]?.Properties?.Name;
      expect(typeof name).toBe('string');
      return `arn:aws:kinesis:${stage.region}:${stage.account}:stream/${name as string}`;
    };
    const text = (value: unknown): string =>
      typeof value === 'string'
        ? value
        : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
            .map((part) => (typeof part === 'string' ? part : 'aws'))
            .join('');

    beforeAll(async () => {
      producing = await synthesizePlane('data', {
        env: {
          RESIDENCY_DATA_REGION: 'ap-south-1',
          RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
          RESIDENCY_PRODUCER_ROLES: PRODUCERS.join(','),
        },
      });
    });

    it('lets nobody write to the events stream when no producer roles are configured', () => {
      expect(JSON.stringify(keyPolicyOf(data))).not.toMatch(/Producers|kinesis:arn/);
      data.template.resourceCountIs('AWS::Kinesis::ResourcePolicy', 0);
    });

    it('lets the producer roles have data keys made only by Kinesis in region, only for the events stream', () => {
      const statements = keyPolicyOf(producing).Statement;
      expect(statements).toHaveLength(4);
      const producers = statements.find((s) => s.Sid === 'ProducersWriteTheEventsStream');
      const { Condition, ...rest } = producers ?? {};
      expect(rest).toEqual({
        Sid: 'ProducersWriteTheEventsStream',
        Effect: 'Allow',
        Principal: { AWS: PRODUCERS },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
      });
      const equals = (Condition as { StringEquals: Record<string, unknown> }).StringEquals;
      expect(Object.keys(Condition as object)).toEqual(['StringEquals']);
      expect(Object.keys(equals).sort()).toEqual(['kms:EncryptionContext:aws:kinesis:arn', 'kms:ViaService']);
      expect(equals['kms:ViaService']).toBe('kinesis.ap-south-1.amazonaws.com');
      // The encryption context Kinesis passes is the stream's ARN: the events stream's, not the outbox's.
      expect(text(equals['kms:EncryptionContext:aws:kinesis:arn'])).toBe(eventsArnOf(producing));
      // And nowhere else in the key policy.
      for (const other of statements.filter((s) => s !== producers))
        expect(JSON.stringify(other), String(other.Sid)).not.toMatch(/clinicbook|payroll/);
    });

    it('lets the producer roles put records on the events stream and nothing else', () => {
      const policies = idsOfType(producing, 'AWS::Kinesis::ResourcePolicy');
      expect(policies).toHaveLength(1);
      const events = idOf(producing, 'AWS::Kinesis::Stream', 'Events');
      const props = producing.json.Resources[policies[0] as string]?.Properties as {
        ResourceArn: unknown;
        ResourcePolicy: { Statement: Record<string, unknown>[] };
      };
      expect(props.ResourceArn).toEqual({ 'Fn::GetAtt': [events, 'Arn'] });
      expect(props.ResourcePolicy.Statement).toEqual([
        {
          Sid: 'ProducersWriteTheEventsStream',
          Effect: 'Allow',
          Principal: { AWS: PRODUCERS },
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Resource: { 'Fn::GetAtt': [events, 'Arn'] },
        },
      ]);
      // No IAM policy of the stack names them: their grants are the key's and the stream's policies.
      const iam = Object.values(producing.json.Resources).filter((r) => r.Type.startsWith('AWS::IAM::'));
      expect(JSON.stringify(iam)).not.toMatch(/clinicbook|payroll/);
    });

    it('tells apps the events stream’s ARN', () => {
      producing.template.hasOutput('EventsStreamArn', {
        Value: { 'Fn::GetAtt': [idOf(producing, 'AWS::Kinesis::Stream', 'Events'), 'Arn'] },
      });
    });

    it('passes the residency rules on the key policy and the stream’s resource policy', () => {
      const findings = evaluate(
        [
          {
            name: producing.stackName,
            plane: 'data',
            region: producing.region,
            account: producing.account,
            template: producing.json,
          },
        ],
        { dataRegion: 'ap-south-1' },
      );
      const onPolicies = findings.filter((f) =>
        ['RES-005', 'RES-010', 'RES-011', 'RES-012', 'RES-014'].some((rule) => f.ruleId.startsWith(rule)),
      );
      expect(onPolicies).toEqual([]);
    });

    it('refuses a producer role of another account, or a wildcard, when the stage is synthesized', async () => {
      const synth = (roles: string) =>
        synthesizePlane('data', {
          account: '123456789012',
          env: {
            RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
            RESIDENCY_PRODUCER_ROLES: roles,
          },
        });
      await expect(
        synth('arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:role/b'),
      ).rejects.toThrow(
        /^RESIDENCY_PRODUCER_ROLES: "arn:aws:iam::210987654321:role\/b" is a role of account 210987654321/,
      );
      await expect(synth('arn:aws:iam::123456789012:role/*')).rejects.toThrow(
        /^RESIDENCY_PRODUCER_ROLES: .* is not an IAM role ARN/,
      );
    });
  });

  describe('streams and tables', () => {
    it('encrypts the events and outbox streams with the key and sets retention', () => {
      data.template.resourceCountIs('AWS::Kinesis::Stream', 2);
      data.template.allResourcesProperties('AWS::Kinesis::Stream', {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        RetentionPeriodHours: 24,
        ShardCount: 1,
      });
    });

    it('creates the five tables with pk/sk, on demand, the key, point-in-time recovery and no replicas', () => {
      data.template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
      data.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
      data.template.allResourcesProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      for (const table of TABLES) expect(() => idOf(data, 'AWS::DynamoDB::Table', table)).not.toThrow();
    });

    it('keeps every table in the standard class unless the vault is configured infrequent-access', async () => {
      const classOf = (stage: StageUnderTest, table: string) =>
        stage.json.Resources[idOf(stage, 'AWS::DynamoDB::Table', table)]?.Properties?.TableClass;
      for (const table of TABLES) expect(classOf(data, table), table).toBeUndefined();
      const ia = await synthesizePlane('data', {
        env: {
          RESIDENCY_DATA_REGION: 'ap-south-1',
          RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
          RESIDENCY_VAULT_TABLE_CLASS: 'standard-ia',
        },
      });
      expect(classOf(ia, 'Vault')).toBe('STANDARD_INFREQUENT_ACCESS');
      for (const table of TABLES.filter((t) => t !== 'Vault'))
        expect(classOf(ia, table), table).toBeUndefined();
    });

    it('bills every table on demand unless the vault is provisioned, then scales the vault within its ranges', async () => {
      const tableOf = (stage: StageUnderTest, table: string) =>
        stage.json.Resources[idOf(stage, 'AWS::DynamoDB::Table', table)]?.Properties;
      for (const table of TABLES) {
        expect(tableOf(data, table)?.BillingMode, table).toBe('PAY_PER_REQUEST');
        expect(tableOf(data, table)?.ProvisionedThroughput, table).toBeUndefined();
      }
      expect(idsOfType(data, 'AWS::ApplicationAutoScaling::ScalableTarget')).toEqual([]);
      const provisioned = await synthesizePlane('data', {
        env: {
          RESIDENCY_DATA_REGION: 'ap-south-1',
          RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
          RESIDENCY_VAULT_CAPACITY: 'provisioned',
          RESIDENCY_VAULT_READ_UNITS: '500-2000',
          RESIDENCY_VAULT_WRITE_UNITS: '2400-3000',
        },
      });
      const vaultId = idOf(provisioned, 'AWS::DynamoDB::Table', 'Vault');
      expect(tableOf(provisioned, 'Vault')?.BillingMode).toBeUndefined();
      expect(tableOf(provisioned, 'Vault')?.ProvisionedThroughput).toEqual({
        ReadCapacityUnits: 500,
        WriteCapacityUnits: 2400,
      });
      for (const table of TABLES.filter((t) => t !== 'Vault'))
        expect(tableOf(provisioned, table)?.BillingMode, table).toBe('PAY_PER_REQUEST');
      const targets = idsOfType(provisioned, 'AWS::ApplicationAutoScaling::ScalableTarget').map(
        (id) => provisioned.json.Resources[id]?.Properties,
      );
      const target = (dimension: string) => targets.find((t) => t?.ScalableDimension === dimension);
      expect(target('dynamodb:table:ReadCapacityUnits')).toMatchObject({
        MinCapacity: 500,
        MaxCapacity: 2000,
      });
      expect(target('dynamodb:table:WriteCapacityUnits')).toMatchObject({
        MinCapacity: 2400,
        MaxCapacity: 3000,
      });
      expect(targets).toHaveLength(2);
      // Both scale the vault table and nothing else.
      for (const t of targets) expect(referencedIds(t?.ResourceId)).toEqual(new Set([vaultId]));
      provisioned.template.resourcePropertiesCountIs(
        'AWS::ApplicationAutoScaling::ScalingPolicy',
        {
          PolicyType: 'TargetTrackingScaling',
          // What the capacity note sizes the ranges by.
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({
            TargetValue: VAULT_TARGET_UTILIZATION * 100,
          }),
        },
        2,
      );
      // The auto scaling resources pass the residency rules like the rest of the stage.
      const findingsOf = (stage: StageUnderTest) =>
        evaluate(
          [
            {
              name: stage.stackName,
              plane: 'data',
              region: stage.region,
              account: stage.account,
              template: stage.json,
            },
          ],
          { dataRegion: 'ap-south-1' },
        ).map((f) => f.ruleId);
      expect(findingsOf(provisioned)).toEqual(findingsOf(data));
    });

    it('expires aggregate and quarantine items by their expiresAt, and nothing in the vault or the logs', () => {
      const ttlOf = (table: string) =>
        data.json.Resources[idOf(data, 'AWS::DynamoDB::Table', table)]?.Properties?.TimeToLiveSpecification;
      const expiring: readonly string[] = ['Aggregates', 'Quarantine'];
      for (const table of expiring)
        expect(ttlOf(table), table).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      for (const table of TABLES.filter((t) => !expiring.includes(t)))
        expect(ttlOf(table), table).toBeUndefined();
    });
  });

  describe('functions', () => {
    it('runs every function on nodejs22.x, arm64, with its own retained log group', () => {
      for (const fn of FUNCTIONS) {
        const logs = idOf(data, 'AWS::Logs::LogGroup', `${fn}Logs`);
        data.template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          LoggingConfig: { LogGroup: { Ref: logs } },
          TracingConfig: Match.absent(),
        });
      }
      data.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    it('gives the ingest the memory the load test prices (one vCPU), as configured, and the others 1 GB', async () => {
      const memoryOf = (stage: StageUnderTest, fn: string) =>
        stage.json.Resources[idOf(stage, 'AWS::Lambda::Function', fn)]?.Properties?.MemorySize;
      // The benchmark measures the handler on one core and prices that size; the capacity note's
      // concurrency assumes it. Less memory gives the CPU-bound ingest a fraction of a vCPU.
      expect(memoryOf(data, 'Ingest')).toBe(loadtestDefaults.lambdaMemoryMb);
      expect(loadtestDefaults.lambdaMemoryMb).toBe(1769);
      for (const fn of FUNCTIONS.filter((f) => f !== 'Ingest')) expect(memoryOf(data, fn), fn).toBe(1024);
      const big = await synthesizePlane('data', {
        env: {
          RESIDENCY_DATA_REGION: 'ap-south-1',
          RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
          RESIDENCY_INGEST_MEMORY_MB: '3538',
        },
      });
      expect(memoryOf(big, 'Ingest')).toBe(3538);
    });

    it('gives each function the environment it reads, and only the forwarder a destination', () => {
      for (const fn of FUNCTIONS) {
        const env = data.json.Resources[idOf(data, 'AWS::Lambda::Function', fn)]?.Properties?.Environment as {
          Variables: Record<string, unknown>;
        };
        // SST adds SST_APP, SST_STAGE, SST_SSM_PREFIX and AWS_NODEJS_CONNECTION_REUSE_ENABLED.
        const names = Object.keys(env.Variables).filter((name) => !/^(SST_|AWS_NODEJS_)/.test(name));
        expect(names.sort(), fn).toEqual([...ENV[fn]].sort());
        expect(env.Variables.DATA_REGION).toBe('ap-south-1');
        expect(env.Variables.KEY_ARN).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      }
      const ingest = data.json.Resources[idOf(data, 'AWS::Lambda::Function', 'Ingest')]?.Properties
        ?.Environment as { Variables: Record<string, unknown> };
      expect(ingest.Variables.AGGREGATE_RECENT_EVENTS).toBe('20000');
      expect(ingest.Variables.AGGREGATE_RETENTION_DAYS).toBe('35');
      expect(ingest.Variables.QUARANTINE_RETENTION_DAYS).toBe('30');
      data.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            CONTROL_PLANE_ORIGIN: 'https://control.example.org',
            SIGNING_KEY_PARAMETER: '/residency/check-data/forwarder/signing-key',
          }),
        },
      });
    });

    it('authorizes detokenization from stage configuration', () => {
      const vaultAdmin = idOf(data, 'AWS::Lambda::Function', 'VaultAdmin');
      data.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            DETOKENIZE_PRINCIPALS: {
              'Fn::Join': [
                '',
                Match.arrayWith([':iam::123456789012:role/auditor,arn:', ':iam::123456789012:role/dpo']),
              ],
            },
          }),
        },
      });
      const permissions = Object.values(data.json.Resources).filter(
        (r) =>
          r.Type === 'AWS::Lambda::Permission' && referencedIds(r.Properties?.FunctionName).has(vaultAdmin),
      );
      expect(permissions).toHaveLength(2);
    });
  });

  describe('least privilege', () => {
    const table = (name: string) => idOf(data, 'AWS::DynamoDB::Table', name);
    /** Actions on a resource beyond describing it (the cold-start region check only describes). */
    const dataActions = (fn: string, resource: string) =>
      new Set([...(actionsByResource(data, fn).get(resource) ?? [])].filter((a) => !/:Describe/.test(a)));

    it('lets only ingest and vault-admin touch the vault, and only vault-admin delete from it', () => {
      const vault = table('Vault');
      expect(dataActions('Ingest', vault)).toEqual(
        new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem']),
      );
      expect(dataActions('Ingest', vault)).not.toContain('dynamodb:DeleteItem');
      expect(dataActions('VaultAdmin', vault)).toContain('dynamodb:DeleteItem');
      expect(actionsByResource(data, 'Forwarder').has(vault)).toBe(false);
      expect(actionsByResource(data, 'WindowCloser').has(vault)).toBe(false);
    });

    it('keeps Scan of the vault from vault-admin: only reindex scans, and vault-admin does not reindex', () => {
      const scans = (actions: ReadonlySet<string> = new Set()) =>
        [...actions].filter((a) =>
          a.endsWith('*') ? 'dynamodb:Scan'.startsWith(a.slice(0, -1)) : a === 'dynamodb:Scan',
        );
      const granted = actionsByResource(data, 'VaultAdmin');
      expect(scans(granted.get(table('Vault')))).toEqual([]);
      expect(scans(granted.get('*'))).toEqual([]);
    });

    it('lets ingest put aggregate partials in batches, update windows and delete compacted pages', () => {
      expect(dataActions('Ingest', table('Aggregates'))).toEqual(
        new Set([
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ]),
      );
    });

    it('lets only ingest read the events stream and only the forwarder read the outbox', () => {
      const events = idOf(data, 'AWS::Kinesis::Stream', 'Events');
      const outbox = idOf(data, 'AWS::Kinesis::Stream', 'Outbox');
      expect(actionsByResource(data, 'Ingest').get(events)).toContain('kinesis:GetRecords');
      for (const fn of ['Forwarder', 'WindowCloser', 'VaultAdmin']) {
        expect(actionsByResource(data, fn).has(events), fn).toBe(false);
      }
      expect(actionsByResource(data, 'Forwarder').get(outbox)).toContain('kinesis:GetRecords');
      for (const fn of ['Ingest', 'WindowCloser', 'VaultAdmin']) {
        expect(actionsByResource(data, fn).get(outbox), fn).not.toContain('kinesis:GetRecords');
      }
    });

    it('keeps the audit log to vault-admin (write-only) and the egress log to the forwarder', () => {
      expect(dataActions('VaultAdmin', table('Audit'))).toEqual(new Set(['dynamodb:PutItem']));
      expect(dataActions('Forwarder', table('EgressLog'))).toEqual(new Set(['dynamodb:PutItem']));
      expect(dataActions('Forwarder', table('Quarantine'))).toEqual(
        new Set(['dynamodb:PutItem', 'dynamodb:BatchWriteItem']),
      );
      for (const fn of ['Ingest', 'WindowCloser']) {
        expect(dataActions(fn, table('Audit')), fn).toEqual(new Set());
        expect(dataActions(fn, table('EgressLog')), fn).toEqual(new Set());
      }
    });

    it('lets only the forwarder read its signing key parameter, in region', () => {
      data.template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'ssm:GetParameter',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:ap-south-1:123456789012:parameter/residency/check-data/forwarder/signing-key',
                  ],
                ],
              },
            }),
          ]),
        },
      });
      const all = JSON.stringify(
        Object.values(data.json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy'),
      );
      expect(all.match(/ssm:GetParameter/g)).toHaveLength(1);
      expect(all).not.toMatch(/"Resource":"\*"/);
    });
  });

  describe('event source mappings', () => {
    it('bisects, reports item failures and fails into an in-region queue', () => {
      data.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      data.template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        StartingPosition: 'TRIM_HORIZON',
        // One batch of a shard at a time: the aggregate partials are put unconditionally by their shard's one writer
        ParallelizationFactor: 1,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('Failures'), 'Arn'] } },
        },
      });
      for (const [fn, stream, batchSize, window] of [
        // The ingest batch is the load test's (`pnpm bench` measures the batch it deploys)
        ['Ingest', 'Events', loadtestDefaults.batchSize, 3],
        ['Forwarder', 'Outbox', 1000, 1],
      ] as const) {
        data.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: idOf(data, 'AWS::Lambda::Function', fn) },
          EventSourceArn: { 'Fn::GetAtt': [idOf(data, 'AWS::Kinesis::Stream', stream), 'Arn'] },
          BatchSize: batchSize,
          MaximumBatchingWindowInSeconds: window,
        });
      }
      expect(idsOfType(data, 'AWS::S3::Bucket')).toEqual([]);
    });

    const mappingOf = (stage: StageUnderTest, fn: string) => {
      const name = { Ref: idOf(stage, 'AWS::Lambda::Function', fn) };
      const found = Object.values(stage.json.Resources).filter(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties?.FunctionName) === JSON.stringify(name),
      );
      expect(found, fn).toHaveLength(1);
      return found[0]?.Properties ?? {};
    };

    it('bounds the ingest’s retries and record age as configured, so a poison batch goes to its queue', async () => {
      expect(mappingOf(data, 'Ingest')).toMatchObject({
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 21_600,
      });
      const configured = await synthesizePlane('data', {
        env: {
          RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control.example.org',
          RESIDENCY_MAX_RETRY_ATTEMPTS: '2',
          RESIDENCY_MAX_RECORD_AGE_SECONDS: '3600',
        },
      });
      expect(mappingOf(configured, 'Ingest')).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumRecordAgeInSeconds: 3600,
      });
      expect(mappingOf(configured, 'Forwarder')).toMatchObject({
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: -1,
      });
    });

    it('retries the forwarder until its records expire: what cannot be delivered waits in the outbox', () => {
      // -1 is infinite for both (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html),
      // as packages/border/src/handlers/forwarder.ts requires.
      expect(mappingOf(data, 'Forwarder')).toMatchObject({
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: -1,
      });
    });

    it('sends the window-closer’s failed async invocations to an in-region queue', () => {
      data.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: idOf(data, 'AWS::Lambda::Function', 'WindowCloser') },
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [idOf(data, 'AWS::SQS::Queue', 'WindowCloserFailures'), 'Arn'] },
          },
        },
      });
      data.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    });
  });

  describe('alarms', () => {
    it('alarms on iterator age of both consumers and on quarantine growth', () => {
      for (const fn of ['Ingest', 'Forwarder']) {
        data.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'IteratorAge',
          Namespace: 'AWS/Lambda',
          Threshold: 300_000,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(data, 'AWS::Lambda::Function', fn) } }],
        });
      }
      data.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ConsumedWriteCapacityUnits',
        Dimensions: [{ Name: 'TableName', Value: { Ref: idOf(data, 'AWS::DynamoDB::Table', 'Quarantine') } }],
        Threshold: 0,
      });
    });
  });
});
