import { regionNamesIn } from '../arn.ts';
import { isAllowlistPath } from '../egress.ts';
import { strings } from '../intrinsics.ts';
import type { Rule, Violation } from '../types.ts';

/** Properties that are prose, not configuration. */
const PROSE = /^(Description|AlarmDescription|Tags)(\.|$)/;

/** RES-001: the data plane deploys to the data region and names no other region. */
export const dataRegion: Rule = {
  id: 'RES-001-data-region',
  rationale:
    'Personal data must stay in the data region, so every data-plane resource must be created there.',
  fixHint:
    'Deploy the stage to the data region (RESIDENCY_DATA_REGION) and remove hard-coded regions; use AWS::Region for the stack region.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage, options }) => {
    const found: Violation[] = [];
    if (stage.region !== undefined && stage.region !== options.dataRegion) {
      found.push({
        resource: '(stage)',
        message: `the stage deploys to ${stage.region}, not the data region ${options.dataRegion}`,
      });
    }
    for (const [id, resource] of stage.resources) {
      const seen = new Set<string>();
      for (const { path, text } of strings(resource.Properties ?? {})) {
        if (PROSE.test(path) || isAllowlistPath(stage, id, path)) continue;
        for (const region of regionNamesIn(text)) {
          if (region === options.dataRegion || seen.has(region)) continue;
          seen.add(region);
          found.push({ resource: id, message: `${path} names region ${region}` });
        }
      }
    }
    return found;
  },
};
