import { accountPlace, parseArn, regionPlace } from '../arn.ts';
import { prop, refTarget, render } from '../intrinsics.ts';
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

/** RES-007: streams and tables are encrypted with the in-region customer key. */
export const customerKeyEncryption: Rule = {
  id: 'RES-007-customer-key-encryption',
  rationale:
    'With our own in-region key, its key policy decides who can read the data; AWS-owned and AWS-managed keys cannot be restricted or audited that way.',
  fixHint:
    'Encrypt Kinesis streams (StreamEncryption KMS) and DynamoDB tables (SSESpecification SSEType KMS) with the stack’s AWS::KMS::Key.',
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
    return found;
  },
};
