import { render } from '../intrinsics.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule } from '../types.ts';

/** RES-006: KMS keys rotate. */
export const keyRotation: Rule = {
  id: 'RES-006-key-rotation',
  rationale:
    'Rotation bounds how much data one key version protects; only symmetric encryption keys can rotate.',
  fixHint: 'Use a SYMMETRIC_DEFAULT key with EnableKeyRotation: true (CDK `enableKeyRotation: true`).',
  severity: 'error',
  planes: ['data', 'control'],
  check: ({ stage }) =>
    resourcesOfType(stage, 'AWS::KMS::Key').flatMap(([id, key]) => {
      const spec = render(key.Properties?.KeySpec) ?? 'SYMMETRIC_DEFAULT';
      if (spec !== 'SYMMETRIC_DEFAULT') {
        return [{ resource: id, message: `has key spec ${spec}, which cannot rotate automatically` }];
      }
      if (render(key.Properties?.EnableKeyRotation) !== 'true') {
        return [{ resource: id, message: 'does not enable automatic key rotation' }];
      }
      return [];
    }),
};
