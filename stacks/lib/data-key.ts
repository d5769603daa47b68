import { Duration } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  ArnPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Stack } from 'sst/constructs/Stack.js';
import type { StageConfig } from './config.ts';
import { removalPolicy } from './stage.ts';

/**
 * Key-management actions the account keeps, so the key stays manageable and deletable. None of them
 * encrypts or decrypts, and `kms:CreateGrant` is left out on purpose: a grant is a way to use the key.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** What this stage's function roles may do with the key (streams, tables and the vault envelope). */
export const KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

/**
 * The data plane's customer-managed key: symmetric, single-Region, rotated yearly, with a key
 * policy written here instead of CDK's default (which lets every IAM principal in the account use
 * the key). The policy has these statements:
 * - the account may administer the key but not use it;
 * - the CloudFormation execution role of this region's CDK bootstrap may use it only through
 *   DynamoDB and Kinesis in this region (creating encrypted tables and streams needs that);
 * - this stage's function roles may use it (added by `allowKeyUse` once the roles exist);
 * - the producer roles, if any, may have data keys made for writing to the events stream, and
 *   nothing else (added by `allowProducers`, stacks/lib/producers.ts).
 */
export function createDataKey(stack: Stack, config: StageConfig): Key {
  const deployRole = `arn:${stack.partition}:iam::${stack.account}:role/cdk-${config.cdkQualifier}-cfn-exec-role-${stack.account}-${stack.region}`;
  const policy = new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AccountAdministersButDoesNotUse',
        principals: [new AccountRootPrincipal()],
        actions: KEY_ADMIN_ACTIONS,
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'DeploymentCreatesEncryptedTablesAndStreams',
        principals: [new ArnPrincipal(deployRole)],
        actions: ['kms:CreateGrant', ...KEY_USE_ACTIONS],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': [
              `dynamodb.${stack.region}.amazonaws.com`,
              `kinesis.${stack.region}.amazonaws.com`,
            ],
          },
        },
      }),
    ],
  });
  return new Key(stack, 'DataKey', {
    description: `residency ${stack.stage}: data-plane key (streams, tables, vault envelopes)`,
    alias: `alias/residency/${stack.stage}/data`,
    enableKeyRotation: true,
    multiRegion: false,
    pendingWindow: Duration.days(30),
    policy,
    removalPolicy: removalPolicy(config),
  });
}

/** Lets exactly these roles (this stage's functions) use the key. */
export function allowKeyUse(key: Key, roles: readonly IRole[]): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'StageFunctionsUseTheKey',
      principals: roles.map((role) => new ArnPrincipal(role.roleArn)),
      actions: KEY_USE_ACTIONS,
      resources: ['*'],
    }),
  );
}
