import { render } from '../intrinsics.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule } from '../types.ts';

/** RES-003: KMS keys are single-Region. */
export const singleRegionKeys: Rule = {
  id: 'RES-003-single-region-keys',
  rationale:
    'A multi-Region key can be replicated, and whoever holds a replica decrypts in-region data elsewhere.',
  fixHint:
    'Create the key with MultiRegion false (CDK `multiRegion: false`) and remove AWS::KMS::ReplicaKey resources.',
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
  ],
};
