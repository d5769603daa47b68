import { accountPlace, parseArn, regionPlace } from '../arn.ts';
import { FIREHOSE_TYPE } from '../firehose.ts';
import { prop, refTarget, render } from '../intrinsics.ts';
import { keyProblem, keyReferences } from '../key-references.ts';
import { referencedType, resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/**
 * Whether a key reference is a customer-managed key of this stage (directly or through one of its
 * aliases), or a key ARN in the data region and the stage's account. A literal account id counts as
 * outside until the account is known (`--account`), as everywhere else.
 */
function isInRegionCustomerKey(value: unknown, stage: StageView, dataRegion: string): boolean {
  const type = referencedType(stage, value);
  if (type === 'AWS::KMS::Key') return true;
  if (type === 'AWS::KMS::Alias') {
    const alias = stage.resources.get(refTarget(value) ?? '');
    return referencedType(stage, alias?.Properties?.TargetKeyId) === 'AWS::KMS::Key';
  }
  const arn = parseArn(render(value) ?? '');
  if (arn === undefined || arn.service !== 'kms' || !arn.resource.startsWith('key/')) return false;
  const place = regionPlace(arn, dataRegion);
  return (place === 'data' || place === 'stage') && accountPlace(arn.account, stage.homeAccount) === 'own';
}

function keyName(value: unknown): string {
  return value === undefined ? 'none' : (render(value) ?? 'an unresolvable value');
}

/**
 * Why a queue is not encrypted at rest acceptably, if it is not. A `KmsMasterKeyId` must be an
 * in-region customer key, as for streams and tables. Without one, SQS-managed SSE is accepted: our
 * failure queues carry only failure metadata (shard, sequence numbers), never record payloads, and it
 * is what a queue gets when `SqsManagedSseEnabled` is left out
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html#cfn-sqs-queue-sqsmanagedsseenabled).
 * Only an explicit `false`, or a value the template cannot resolve, leaves the queue unencrypted.
 */
function queueProblem(properties: unknown, stage: StageView, dataRegion: string): string | undefined {
  const key = prop(properties, 'KmsMasterKeyId');
  if (key !== undefined) {
    return isInRegionCustomerKey(key, stage, dataRegion)
      ? undefined
      : `queue is not encrypted with an in-region customer key of this account (key ${keyName(key)})`;
  }
  const managed = prop(properties, 'SqsManagedSseEnabled');
  if (managed === undefined || render(managed)?.toLowerCase() === 'true') return undefined;
  return `queue is not encrypted at rest (SqsManagedSseEnabled ${render(managed) ?? 'an unresolvable value'}, no KmsMasterKeyId)`;
}

/**
 * Why a topic is not encrypted at rest acceptably, if it is not. Every data-plane topic is in scope,
 * as every queue is: what it carries is not visible in the template. SNS has no managed default as
 * SQS has, so a topic without `KmsMasterKeyId` is not encrypted at rest with a key we control
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html), and the key must be an
 * in-region customer key of this account (not `alias/aws/sns`), as for queues.
 */
function topicProblem(properties: unknown, stage: StageView, dataRegion: string): string | undefined {
  const key = prop(properties, 'KmsMasterKeyId');
  if (isInRegionCustomerKey(key, stage, dataRegion)) return undefined;
  return key === undefined
    ? 'topic is not encrypted at rest (no KmsMasterKeyId)'
    : `topic is not encrypted with an in-region customer key of this account (key ${keyName(key)})`;
}

/**
 * Why a global table (CDK `TableV2`) is not encrypted with the in-region customer key: SSE must be
 * on with type KMS, and each replica's `SSESpecification.KMSMasterKeyId` such a key. RES-002 allows
 * only single-region global tables, so this is the same check as for `AWS::DynamoDB::Table`.
 */
function globalTableProblem(properties: unknown, stage: StageView, dataRegion: string): string | undefined {
  const enabled = render(prop(properties, 'SSESpecification', 'SSEEnabled'));
  const type = render(prop(properties, 'SSESpecification', 'SSEType')) ?? 'KMS';
  const replicas = prop(properties, 'Replicas');
  const keys = (Array.isArray(replicas) && replicas.length > 0 ? replicas : [undefined]).map((replica) =>
    prop(replica, 'SSESpecification', 'KMSMasterKeyId'),
  );
  const bad = keys.findIndex((key) => !isInRegionCustomerKey(key, stage, dataRegion));
  if (enabled === 'true' && type === 'KMS' && bad === -1) return undefined;
  return `table is not encrypted with an in-region customer key of this account (key ${keyName(keys[Math.max(bad, 0)])})`;
}

/** Types whose encryption RES-007 checks in full above; the key references of all others are checked by `keyProblem`. */
const CHECKED_IN_FULL = [
  'AWS::Kinesis::Stream',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  // RES-005 checks every ARN of a delivery stream, its keys included.
  FIREHOSE_TYPE,
];

/**
 * RES-007: streams, tables (global tables too) and topics are encrypted with the in-region customer
 * key, queues at least with SQS-managed SSE; any other resource that names a key (a log group, a
 * bucket, a function) names one of this account in the data region.
 */
export const customerKeyEncryption: Rule = {
  id: 'RES-007-customer-key-encryption',
  rationale:
    'With our own in-region key, its key policy decides who can read the data; AWS-owned and AWS-managed keys cannot be restricted or audited that way.',
  fixHint:
    'Encrypt Kinesis streams (StreamEncryption KMS), DynamoDB tables (SSESpecification SSEType KMS; for a TableV2 each replica’s KMSMasterKeyId) and SNS topics (KmsMasterKeyId) with the stack’s AWS::KMS::Key; leave SQS queues on SQS-managed SSE (the default) or give them that key; name only keys of this stack, or of this account in the data region, anywhere else (KmsKeyId, KMSMasterKeyID, KmsKeyArn).',
  severity: 'error',
  planes: ['data'],
  check: ({ stage, options }) => {
    const found: Violation[] = [];
    for (const [id, stream] of resourcesOfType(stage, 'AWS::Kinesis::Stream')) {
      const type = render(prop(stream.Properties, 'StreamEncryption', 'EncryptionType'));
      const key = prop(stream.Properties, 'StreamEncryption', 'KeyId');
      if (type !== 'KMS' || !isInRegionCustomerKey(key, stage, options.dataRegion)) {
        found.push({
          resource: id,
          message: `stream is not encrypted with an in-region customer key of this account (encryption ${type ?? 'none'}, key ${keyName(key)})`,
        });
      }
    }
    for (const [id, table] of resourcesOfType(stage, 'AWS::DynamoDB::Table')) {
      const enabled = render(prop(table.Properties, 'SSESpecification', 'SSEEnabled'));
      const type = render(prop(table.Properties, 'SSESpecification', 'SSEType')) ?? 'KMS';
      const key = prop(table.Properties, 'SSESpecification', 'KMSMasterKeyId');
      if (enabled !== 'true' || type !== 'KMS' || !isInRegionCustomerKey(key, stage, options.dataRegion)) {
        found.push({
          resource: id,
          message: `table is not encrypted with an in-region customer key of this account (key ${keyName(key)})`,
        });
      }
    }
    for (const [id, queue] of resourcesOfType(stage, 'AWS::SQS::Queue')) {
      const problem = queueProblem(queue.Properties, stage, options.dataRegion);
      if (problem !== undefined) found.push({ resource: id, message: problem });
    }
    for (const [id, table] of resourcesOfType(stage, 'AWS::DynamoDB::GlobalTable')) {
      const problem = globalTableProblem(table.Properties, stage, options.dataRegion);
      if (problem !== undefined) found.push({ resource: id, message: problem });
    }
    for (const [id, topic] of resourcesOfType(stage, 'AWS::SNS::Topic')) {
      const problem = topicProblem(topic.Properties, stage, options.dataRegion);
      if (problem !== undefined) found.push({ resource: id, message: problem });
    }
    for (const [id, resource] of stage.resources) {
      if (CHECKED_IN_FULL.includes(resource.Type)) continue;
      for (const { path, value } of keyReferences(resource)) {
        const problem = keyProblem(value, stage, options.dataRegion);
        if (problem !== undefined) found.push({ resource: id, message: `${path} ${problem}` });
      }
    }
    return found;
  },
};
