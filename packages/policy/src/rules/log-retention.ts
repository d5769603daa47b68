import { prop, refTarget, render } from '../intrinsics.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

function hasRetention(stage: StageView, logicalId: string): boolean {
  return render(stage.resources.get(logicalId)?.Properties?.RetentionInDays) !== undefined;
}

/** Log group names (rendered) that have retention: explicit log groups and CDK LogRetention resources. */
function retainedNames(stage: StageView): Set<string> {
  const names = new Set<string>();
  for (const [, group] of resourcesOfType(stage, 'AWS::Logs::LogGroup', 'Custom::LogRetention')) {
    const name = render(group.Properties?.LogGroupName);
    if (name !== undefined && render(group.Properties?.RetentionInDays) !== undefined) names.add(name);
  }
  return names;
}

/** RES-009: every log group, including each function's, has a retention. */
export const logRetention: Rule = {
  id: 'RES-009-log-retention',
  rationale:
    'Logs can carry fragments of the data they describe; a log group without retention keeps them forever, and a function without a declared log group logs into one that never expires.',
  fixHint:
    'Set RetentionInDays on every AWS::Logs::LogGroup and give each function its own log group (CDK `logGroup` prop, LoggingConfig.LogGroup).',
  severity: 'error',
  planes: ['data', 'control'],
  check: ({ stage }) => {
    const found: Violation[] = [];
    for (const [id, group] of resourcesOfType(stage, 'AWS::Logs::LogGroup')) {
      if (render(group.Properties?.RetentionInDays) === undefined) {
        found.push({ resource: id, message: 'log group has no RetentionInDays, so it never expires' });
      }
    }
    const retained = retainedNames(stage);
    for (const [id, fn] of resourcesOfType(stage, 'AWS::Lambda::Function')) {
      const configured = prop(fn.Properties, 'LoggingConfig', 'LogGroup');
      if (configured !== undefined) {
        const target = refTarget(configured);
        const ok =
          target !== undefined ? hasRetention(stage, target) : retained.has(render(configured) ?? '');
        if (!ok)
          found.push({
            resource: id,
            message: `logs to ${render(configured)}, which has no retention in this template`,
          });
        continue;
      }
      const name = render(fn.Properties?.FunctionName) ?? `#{${id}}`;
      if (!retained.has(`/aws/lambda/${name}`)) {
        found.push({
          resource: id,
          message: `logs to the implicit group /aws/lambda/${name}, which never expires`,
        });
      }
    }
    return found;
  },
};
