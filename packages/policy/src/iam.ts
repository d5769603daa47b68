import { type AccountPlace, accountPlace, parseArn } from './arn.ts';
import { asList, prop, refTarget, render } from './intrinsics.ts';
import type { StageView } from './types.ts';

/** A policy statement, normalized. Actions are lower-cased. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** True when the statement uses NotAction (so it allows everything but `actions`). */
  readonly notAction: boolean;
  readonly resources: readonly unknown[];
  readonly notResource: boolean;
  readonly principals: readonly unknown[];
  /** True when the statement uses NotPrincipal. */
  readonly notPrincipal: boolean;
  readonly condition: unknown;
}

/** The statements of a policy document. */
export function statementsOf(document: unknown): readonly Statement[] {
  return asList(prop(document, 'Statement')).map((raw) => {
    const actions = prop(raw, 'Action') ?? prop(raw, 'NotAction');
    const resources = prop(raw, 'Resource') ?? prop(raw, 'NotResource');
    const principal = prop(raw, 'Principal') ?? prop(raw, 'NotPrincipal');
    return {
      effect: prop(raw, 'Effect') === 'Deny' ? 'Deny' : 'Allow',
      actions: asList(actions).map((action) => (render(action) ?? '').toLowerCase()),
      notAction: prop(raw, 'NotAction') !== undefined,
      resources: asList(resources),
      notResource: prop(raw, 'NotResource') !== undefined,
      principals: principal === undefined ? [] : [principal],
      notPrincipal: prop(raw, 'NotPrincipal') !== undefined,
      condition: prop(raw, 'Condition'),
    };
  });
}

/** Whether an IAM action pattern (with `*` and `?`) matches an action. Case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(action.toLowerCase());
}

/** Whether a statement allows any of these actions. */
export function allowsAny(statement: Statement, actions: readonly string[]): boolean {
  if (statement.effect !== 'Allow') return false;
  if (statement.notAction) return true;
  return actions.some((action) => statement.actions.some((pattern) => actionMatches(pattern, action)));
}

/** Who a principal is, from the stage's point of view. */
export type Principal =
  | { readonly kind: 'public'; readonly text: string }
  | { readonly kind: 'account'; readonly account: AccountPlace; readonly id: string; readonly text: string }
  | { readonly kind: 'role'; readonly logicalId: string; readonly text: string }
  | { readonly kind: 'arn'; readonly account: AccountPlace; readonly id: string; readonly text: string }
  | { readonly kind: 'service'; readonly text: string }
  | { readonly kind: 'other'; readonly text: string };

/** Every principal in a statement's Principal block. */
export function principalsOf(statement: Statement, stage: StageView): readonly Principal[] {
  return statement.principals.flatMap((block) => {
    if (block === '*') return [{ kind: 'public', text: '*' } as const];
    const aws = asList(prop(block, 'AWS')).map((value) => classifyPrincipal(value, stage));
    const services = asList(prop(block, 'Service')).map(
      (value) => ({ kind: 'service', text: render(value) ?? '?' }) as const,
    );
    const others = ['Federated', 'CanonicalUser'].flatMap((key) =>
      asList(prop(block, key)).map(
        (value) => ({ kind: 'other', text: `${key}:${render(value) ?? '?'}` }) as const,
      ),
    );
    return [...aws, ...services, ...others];
  });
}

/**
 * Classifies one principal value: `*`, an account id, an account root ARN, a role of this
 * template (by reference), another ARN, or a service name (`events.amazonaws.com`).
 */
export function classifyPrincipal(value: unknown, stage: StageView): Principal {
  const target = refTarget(value);
  const text = render(value) ?? '?';
  if (target !== undefined && stage.resources.get(target)?.Type === 'AWS::IAM::Role') {
    return { kind: 'role', logicalId: target, text };
  }
  if (text === '*') return { kind: 'public', text };
  if (/^\d{12}$/.test(text) || text === '#{AWS.AccountId}') {
    return { kind: 'account', account: accountPlace(text, stage.homeAccount), id: text, text };
  }
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(text)) return { kind: 'service', text };
  const arn = parseArn(text);
  if (arn !== undefined) {
    const account = accountPlace(arn.account, stage.homeAccount);
    if (arn.service === 'iam' && arn.resource === 'root')
      return { kind: 'account', account, id: arn.account, text };
    return { kind: 'arn', account, id: arn.account, text };
  }
  return { kind: 'other', text };
}

/** A statement of an identity policy, with the roles of this template it applies to. */
export interface IdentityStatement {
  /** Logical id of the policy or role that holds it. */
  readonly source: string;
  /** Logical ids of the roles it is attached to (may name roles outside the template). */
  readonly roles: readonly string[];
  readonly statement: Statement;
}

/** Resource types that hold an identity policy document (`PolicyDocument`). */
export const IDENTITY_POLICY_TYPES: readonly string[] = [
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
];

/** All identity-policy statements of a template: inline role policies, IAM::Policy, IAM::ManagedPolicy, IAM::RolePolicy. */
export function identityStatements(stage: StageView): readonly IdentityStatement[] {
  const found: IdentityStatement[] = [];
  for (const [id, resource] of stage.resources) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asList(props.Policies)) {
        for (const statement of statementsOf(prop(policy, 'PolicyDocument'))) {
          found.push({ source: id, roles: [id], statement });
        }
      }
    }
    if (IDENTITY_POLICY_TYPES.includes(resource.Type)) {
      // AWS::IAM::RolePolicy names one role (RoleName); Policy and ManagedPolicy a list (Roles).
      const roles = asList(props.Roles ?? props.RoleName).map(
        (role) => refTarget(role) ?? render(role) ?? '?',
      );
      for (const statement of statementsOf(props.PolicyDocument))
        found.push({ source: id, roles, statement });
    }
  }
  return found;
}
