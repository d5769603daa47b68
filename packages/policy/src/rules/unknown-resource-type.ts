import { KNOWN_TYPES } from '../known-types.ts';
import type { Rule } from '../types.ts';

/** RES-014: a resource type no rule knows is reported for review, never passed silently. */
export const unknownResourceType: Rule = {
  id: 'RES-014-unknown-resource-type',
  rationale:
    'A rule set that passes what it does not understand gives false assurance; a new resource type may store, replicate or send data.',
  fixHint:
    'Review where the resource keeps and sends data; if it is residency-neutral, accept the type (acceptTypes / --accept-type) or add a rule for it.',
  severity: 'review',
  planes: ['data', 'control'],
  check: ({ stage, options }) =>
    [...stage.resources]
      .filter(
        ([, resource]) =>
          !KNOWN_TYPES.has(resource.Type) && !(options.acceptTypes ?? []).includes(resource.Type),
      )
      .map(([id, resource]) => ({
        resource: id,
        message: `has type ${resource.Type}, which no residency rule checks`,
      })),
};
