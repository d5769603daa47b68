import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import type { IKey } from 'aws-cdk-lib/aws-kms';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem']);

/**
 * Grants exactly these DynamoDB actions on one table, plus the key actions DynamoDB needs on the
 * caller's behalf for a customer-managed key (decrypt to read; encrypt and data keys to write).
 *
 * @example grantTable(ingest, vault, key, ['GetItem', 'BatchGetItem', 'PutItem'])
 */
export function grantTable(grantee: IGrantable, table: Table, key: IKey, actions: readonly string[]): void {
  table.grant(grantee, ...actions.map((action) => `dynamodb:${action}`));
  key.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
  if (actions.some((action) => !READS.has(action))) {
    key.grant(grantee, 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*');
  }
}

/**
 * Lets a function describe the tables and streams it is configured with, and nothing more: the
 * cold-start check of the ingest, the window closer and vault-admin (`verifyLiveResidency`) reads
 * their ARNs to prove they are in the data region (fail closed). It describes the key too:
 * `kms:DescribeKey` comes with {@link grantTable}.
 */
export function grantDescribe(
  grantee: IGrantable,
  resources: { tables?: readonly Table[]; streams?: readonly Stream[] },
): void {
  for (const table of resources.tables ?? []) table.grant(grantee, 'dynamodb:DescribeTable');
  for (const stream of resources.streams ?? []) stream.grant(grantee, 'kinesis:DescribeStreamSummary');
}
