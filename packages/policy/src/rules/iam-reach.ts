import { arnsIn, parseArn } from '../arn.ts';
import { identityStatements } from '../iam.ts';
import { asList, render } from '../intrinsics.ts';
import { classifyManagedPolicy } from '../managed-policies.ts';
import { outsideReason, touchesData } from '../reach.ts';
import { resourcesOfType, unresolvedIn } from '../stage.ts';
import type { StageView, Violation } from '../types.ts';

/**
 * Services beyond the data services whose every action on `*` is a way out: assuming roles in other
 * accounts, changing IAM, sending email, writing logs into any group of any region.
 */
const REACHING_SERVICES = ['sts', 'iam', 'ses', 'logs', 'execute-api', 'mobiletargeting', 'sms-voice'];

/** The actions of a statement that are too broad for `*`: any wildcard, data and reaching services. */
function broadOnEverything(actions: readonly string[]): string[] {
  return actions.filter(
    (action) =>
      action.includes('*') || touchesData(action) || REACHING_SERVICES.includes(action.split(':')[0] ?? ''),
  );
}

/**
 * Identity-policy statements that reach outside the region or account: any action on an ARN of
 * another region or account (sts:AssumeRole on another account's role included), and wildcard,
 * data-service or reaching actions on every resource.
 */
export function permissions(stage: StageView, dataRegion: string): Violation[] {
  const found: Violation[] = [];
  for (const { source, statement } of identityStatements(stage)) {
    if (statement.effect !== 'Allow') continue;
    const broad = statement.notAction ? ['*'] : broadOnEverything(statement.actions);
    for (const resource of statement.resources) {
      const text = render(resource) ?? '';
      if (text === '*' || statement.notResource) {
        if (broad.length > 0)
          found.push({
            resource: source,
            message: `allows ${broad.join(', ')} on every resource, in every region`,
          });
        continue;
      }
      const arns = arnsIn(text);
      for (const arn of arns) {
        const reason = outsideReason(arn, stage, dataRegion);
        if (reason !== undefined)
          found.push({ resource: source, message: `allows access to ${arn.text}, which ${reason}` });
      }
      if (arns.length === 0 && unresolvedIn(text, stage).length > 0)
        found.push({
          resource: source,
          message: `allows access to ${text}, which cannot be resolved from the template`,
        });
    }
  }
  return found;
}

/**
 * Managed policies of the stage's roles that grant broadly (AdministratorAccess, `*FullAccess`,
 * ...), belong to another account, or cannot be resolved. Other managed policies, whose statements
 * are not in the template either, are for review (RES-015).
 */
export function managedPolicies(stage: StageView, dataRegion: string): Violation[] {
  return resourcesOfType(stage, 'AWS::IAM::Role').flatMap(([id, role]) =>
    asList(role.Properties?.ManagedPolicyArns).flatMap((value): Violation[] => {
      const policy = classifyManagedPolicy(value, stage);
      switch (policy.kind) {
        case 'broad':
          return [
            {
              resource: id,
              message: `carries the AWS managed policy ${policy.name}, which grants access to every resource, in every region`,
            },
          ];
        case 'outside': {
          const arn = parseArn(policy.text);
          const reason = arn === undefined ? undefined : outsideReason(arn, stage, dataRegion);
          return [
            {
              resource: id,
              message: `carries the managed policy ${policy.text}, which ${reason ?? 'is outside this account'}`,
            },
          ];
        }
        case 'unresolved':
          return [
            {
              resource: id,
              message: `carries a managed policy (${policy.text}) that cannot be resolved from the template`,
            },
          ];
        default:
          return [];
      }
    }),
  );
}
