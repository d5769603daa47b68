import { arnsIn } from '../arn.ts';
import { render, strings } from '../intrinsics.ts';
import { keyReferences } from '../key-references.ts';
import { resourcesOfType } from '../stage.ts';
import type { CfnResource, Rule, Violation } from '../types.ts';

/**
 * AWS gives every multi-Region key an id starting with `mrk-`, in each of its regions, so a key
 * named that way has replicas (or can get them) outside the data region, whatever region its ARN names.
 * See https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
 */
const MULTI_REGION_KEY_ID = /^mrk-/;

/** Multi-Region keys a resource names: key ARNs anywhere in it, key ids under its key properties. */
function multiRegionReferences(id: string, resource: CfnResource): Violation[] {
  const found: Violation[] = [];
  const name = (path: string, what: string) => ({
    resource: id,
    message: `${path} names ${what}, a multi-Region key: its replicas in other regions decrypt the same data`,
  });
  for (const { path, text } of strings(resource.Properties ?? {})) {
    for (const arn of arnsIn(text)) {
      if (arn.service === 'kms' && MULTI_REGION_KEY_ID.test(arn.resource.replace(/^key\//, '')))
        found.push(name(path, arn.text));
    }
  }
  // A bare key id names no ARN; `KeyId` is how Kinesis names its key (StreamEncryption.KeyId).
  for (const { path, value } of keyReferences(resource, ['KeyId'])) {
    const text = render(value) ?? '';
    if (MULTI_REGION_KEY_ID.test(text)) found.push(name(path, text));
  }
  return found;
}

/** RES-003: KMS keys are single-Region, those the template creates and those it names. */
export const singleRegionKeys: Rule = {
  id: 'RES-003-single-region-keys',
  rationale:
    'A multi-Region key can be replicated, and whoever holds a replica decrypts in-region data elsewhere.',
  fixHint:
    'Create the key with MultiRegion false (CDK `multiRegion: false`), remove AWS::KMS::ReplicaKey resources, and name no multi-Region key (`mrk-` id) anywhere.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage }) => [
    ...resourcesOfType(stage, 'AWS::KMS::Key').flatMap(([id, key]) => {
      const multiRegion = render(key.Properties?.MultiRegion);
      if (multiRegion === undefined || multiRegion === 'false') return [];
      return [
        {
          resource: id,
          message:
            multiRegion === 'true'
              ? 'is a multi-Region KMS key (MultiRegion: true)'
              : `may be a multi-Region KMS key: MultiRegion (${multiRegion}) cannot be resolved from the template`,
        },
      ];
    }),
    ...resourcesOfType(stage, 'AWS::KMS::ReplicaKey').map(([id]) => ({
      resource: id,
      message: 'is a replica of a multi-Region KMS key',
    })),
    // A replica key names its primary; it is reported above as what it is.
    ...[...stage.resources]
      .filter(([, resource]) => resource.Type !== 'AWS::KMS::ReplicaKey')
      .flatMap(([id, resource]) => multiRegionReferences(id, resource)),
  ],
};
