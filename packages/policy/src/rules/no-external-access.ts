import { accountPlace, arnsIn, outsideAccount } from '../arn.ts';
import { classifyPrincipal, type Principal, principalsOf, statementsOf } from '../iam.ts';
import { asList, prop, refTarget, render } from '../intrinsics.ts';
import type { CfnResource, Rule, StageView, Violation } from '../types.ts';

/** Where each type keeps its resource policy. */
const POLICIES: Readonly<Record<string, (resource: CfnResource) => unknown>> = {
  'AWS::IAM::Role': (r) => prop(r.Properties, 'AssumeRolePolicyDocument'),
  'AWS::Kinesis::ResourcePolicy': (r) => prop(r.Properties, 'ResourcePolicy'),
  'AWS::DynamoDB::Table': (r) => prop(r.Properties, 'ResourcePolicy', 'PolicyDocument'),
  // A global table keeps a policy per replica, and one per replica's stream: all statements together.
  'AWS::DynamoDB::GlobalTable': (r) => ({
    Statement: asList(prop(r.Properties, 'Replicas')).flatMap((replica) =>
      [
        prop(replica, 'ResourcePolicy', 'PolicyDocument'),
        prop(replica, 'ReplicaStreamSpecification', 'ResourcePolicy', 'PolicyDocument'),
      ].flatMap((document) => asList(prop(document, 'Statement'))),
    ),
  }),
  'AWS::SQS::QueuePolicy': (r) => prop(r.Properties, 'PolicyDocument'),
  'AWS::SNS::TopicPolicy': (r) => prop(r.Properties, 'PolicyDocument'),
  'AWS::S3::BucketPolicy': (r) => prop(r.Properties, 'PolicyDocument'),
  'AWS::SecretsManager::ResourcePolicy': (r) => prop(r.Properties, 'ResourcePolicy'),
  'AWS::Events::EventBusPolicy': (r) =>
    prop(r.Properties, 'Statement') !== undefined
      ? { Statement: prop(r.Properties, 'Statement') }
      : { Statement: [{ Effect: 'Allow', Principal: { AWS: prop(r.Properties, 'Principal') } }] },
};

/** Why a principal counts as outside the stage, or undefined. `trust` is a role trust policy. */
function outside(principal: Principal, hasCondition: boolean, trust: boolean): string | undefined {
  switch (principal.kind) {
    case 'public':
      return 'everyone (*)';
    case 'other':
      return principal.text.includes('#{')
        ? `${principal.text}, which cannot be resolved from the template,`
        : principal.text;
    case 'account':
    case 'arn':
      return principal.account === 'own'
        ? undefined
        : `${principal.text}, ${outsideAccount(principal.account, principal.id)},`;
    case 'service':
      return trust || hasCondition ? undefined : `the service ${principal.text} without a source condition`;
    case 'role':
      return undefined;
  }
}

/** Where a service call may come from: `SourceAccount`/`SourceArn` or their condition keys. */
interface Source {
  readonly accounts: readonly unknown[];
  readonly arns: readonly unknown[];
}

/** The source-account and source-ARN values of a statement's condition (any operator). */
function sourceOfCondition(condition: unknown): Source {
  const blocks = Object.values((condition ?? {}) as Record<string, unknown>);
  const values = (keys: readonly string[]) =>
    blocks.flatMap((block) =>
      Object.entries((block ?? {}) as Record<string, unknown>)
        .filter(([key]) => keys.includes(key.toLowerCase()))
        .flatMap(([, value]) => asList(value)),
    );
  return { accounts: values(['aws:sourceaccount', 'aws:sourceowner']), arns: values(['aws:sourcearn']) };
}

/**
 * Why a service principal's source is outside the stage: a source account or ARN of another
 * account, one that cannot be resolved, or an S3 bucket ARN (which names no account) without a
 * source account.
 */
function sourceProblem(source: Source, stage: StageView): string | undefined {
  for (const value of source.accounts) {
    const text = render(value) ?? '?';
    const place = accountPlace(text, stage.homeAccount);
    if (place !== 'own')
      return `source account ${text} ${place === 'unknown' ? 'cannot be resolved from the template' : `is ${outsideAccount(place, text)}`}`;
  }
  for (const value of source.arns) {
    const target = refTarget(value);
    if (target !== undefined && stage.resources.has(target)) continue;
    const text = render(value) ?? '?';
    const [arn] = arnsIn(text);
    if (arn === undefined) return `source ${text} cannot be resolved from the template`;
    const place = accountPlace(arn.account, stage.homeAccount);
    if (place === 'none' && source.accounts.length === 0)
      return `source ${text} names no account (an S3 bucket may be anyone's) and no source account is given`;
    if (place !== 'own' && place !== 'none')
      return `source ${text} ${place === 'unknown' ? 'has an account that cannot be resolved from the template' : `is ${outsideAccount(place, arn.account)}`}`;
  }
  return undefined;
}

function policyViolations(
  stage: StageView,
  id: string,
  resource: CfnResource,
  document: unknown,
): Violation[] {
  const trust = resource.Type === 'AWS::IAM::Role';
  return statementsOf(document).flatMap((statement) => {
    if (statement.effect !== 'Allow') return [];
    if (statement.notPrincipal)
      return [{ resource: id, message: 'allows with NotPrincipal, i.e. almost everyone' }];
    return principalsOf(statement, stage).flatMap((principal) => {
      const who = outside(principal, statement.condition !== undefined, trust);
      const verb = trust ? 'lets' : 'grants';
      if (who !== undefined)
        return [{ resource: id, message: `${verb} ${who} ${trust ? 'assume this role' : 'access'}` }];
      const problem =
        principal.kind === 'service'
          ? sourceProblem(sourceOfCondition(statement.condition), stage)
          : undefined;
      return problem === undefined
        ? []
        : [
            {
              resource: id,
              message: `${verb} the service ${principal.text} ${trust ? 'assume this role' : 'access'}, but its ${problem}`,
            },
          ];
    });
  });
}

function lambdaPermission(stage: StageView, id: string, resource: CfnResource): Violation[] {
  const props = resource.Properties ?? {};
  if (render(props.FunctionUrlAuthType) === 'NONE') {
    return [{ resource: id, message: 'makes a data-plane function URL public (FunctionUrlAuthType NONE)' }];
  }
  if (props.PrincipalOrgID !== undefined) {
    return [{ resource: id, message: 'lets a whole AWS organization invoke a data-plane function' }];
  }
  const principal = classifyPrincipal(props.Principal, stage);
  const hasSource = props.SourceArn !== undefined || props.SourceAccount !== undefined;
  const who = outside(principal, hasSource, false);
  if (who !== undefined) return [{ resource: id, message: `lets ${who} invoke a data-plane function` }];
  const source = { accounts: asList(props.SourceAccount), arns: asList(props.SourceArn) };
  const problem = principal.kind === 'service' ? sourceProblem(source, stage) : undefined;
  return problem === undefined
    ? []
    : [
        {
          resource: id,
          message: `lets the service ${principal.text} invoke a data-plane function, but its ${problem}`,
        },
      ];
}

/** RES-011: nothing outside the account (or the public) can reach data-plane resources. */
export const noExternalAccess: Rule = {
  id: 'RES-011-no-external-access',
  rationale:
    'A resource policy, trust policy, invoke permission or public URL that admits another account or the public lets data be read from outside the region’s control.',
  fixHint:
    'Grant access to roles of this stack or this account only; give service principals an aws:SourceArn/SourceAccount condition; no public function URLs in the data plane.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage }) =>
    [...stage.resources].flatMap(([id, resource]) => {
      if (resource.Type === 'AWS::Lambda::Permission') return lambdaPermission(stage, id, resource);
      if (resource.Type === 'AWS::Lambda::Url') {
        return render(resource.Properties?.AuthType) === 'NONE'
          ? [{ resource: id, message: 'is a public function URL (AuthType NONE) on a data-plane function' }]
          : [];
      }
      const policy = POLICIES[resource.Type]?.(resource);
      return policy === undefined ? [] : policyViolations(stage, id, resource, policy);
    }),
};

/** The resource types this rule knows. */
export const accessTypes: readonly string[] = [
  ...Object.keys(POLICIES),
  'AWS::Lambda::Permission',
  'AWS::Lambda::Url',
];
