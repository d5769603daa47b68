/**
 * KMS keys that resources name under a property whose name says it is a key (`KmsKeyId`,
 * `KMSMasterKeyID`, `KmsKeyArn`, `KmsKeyIdentifier`, `AWSKMSKeyARN`, ...): log groups, buckets,
 * functions, schedules, trails, secrets. Whoever holds the key decides who reads what it encrypts,
 * so it must be a key of this stage, or one of its account in the data region.
 */
import { parseArn } from './arn.ts';
import { firehoseValues } from './firehose.ts';
import { render, UNKNOWN } from './intrinsics.ts';
import { outsideReason } from './reach.ts';
import { quoteValue } from './redact.ts';
import { referencedType, unresolvedIn } from './stage.ts';
import type { CfnResource, StageView } from './types.ts';

/** A property name that holds a KMS key reference, in any of the spellings CloudFormation uses. */
const KEY_PROPERTY = /^(?:aws)?kms(?:master)?key(?:id|arn|identifier)?$/i;

/** A key reference found in a resource's properties, with its dotted path. */
export interface KeyReference {
  readonly path: string;
  readonly value: unknown;
}

/**
 * Every value under a key property of a resource (lists and nested objects walked), and under the
 * other property names given (`KeyId`, which some types use for things that are not KMS keys).
 */
export function keyReferences(resource: CfnResource, alsoNamed: readonly string[] = []): KeyReference[] {
  return [...firehoseValues(resource.Properties)]
    .filter(({ key }) => KEY_PROPERTY.test(key) || alsoNamed.includes(key))
    .map(({ path, value }) => ({ path, value }));
}

/**
 * Why a key reference may let someone outside the data region or account decrypt, if it may: it
 * cannot be resolved (an import, a parameter, a dynamic reference), or it is an ARN of another
 * region or account. A key or alias of this template, a bare key id or alias name (this account and
 * region, by definition) and an ARN in the data region and account pass.
 *
 * @example keyProblem({ 'Fn::ImportValue': 'k' }, stage, 'ap-south-1') // 'cannot be resolved from the template, ...'
 */
export function keyProblem(value: unknown, stage: StageView, dataRegion: string): string | undefined {
  const type = referencedType(stage, value);
  if (type === 'AWS::KMS::Key' || type === 'AWS::KMS::Alias') return undefined;
  const text = render(value) ?? UNKNOWN;
  if (unresolvedIn(text, stage).length > 0 || text.includes('{{resolve:'))
    return `(${quoteValue(text)}) cannot be resolved from the template, so the key may be in another region or account`;
  const arn = parseArn(text);
  const reason = arn === undefined ? undefined : outsideReason(arn, stage, dataRegion);
  return reason === undefined
    ? undefined
    : `${quoteValue(text)} is not a key of this account in the data region: it ${reason}`;
}
