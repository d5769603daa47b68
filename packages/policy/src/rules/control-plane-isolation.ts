import { arnsIn, regionPlace } from '../arn.ts';
import { identityStatements, principalsOf, statementsOf } from '../iam.ts';
import { asList, prop, render, strings } from '../intrinsics.ts';
import { touchesData } from '../reach.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/** AWS managed policies a control-plane role may carry: they write the role's own logs, nothing else. */
const ALLOWED_MANAGED_POLICIES = [/:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/];

/** Properties that give a resource its physical name. */
const NAME_PROPERTIES = [
  'TableName',
  'StreamName',
  'QueueName',
  'TopicName',
  'FunctionName',
  'AliasName',
  'BucketName',
  'LogGroupName',
];

/** Explicit physical names of data-plane resources (generated names cannot be known offline). */
function dataPlaneNames(stages: readonly StageView[]): string[] {
  return stages
    .filter((stage) => stage.plane === 'data')
    .flatMap((stage) => [...stage.resources.values()])
    .flatMap((resource) => NAME_PROPERTIES.map((name) => render(resource.Properties?.[name])))
    .filter((name): name is string => name !== undefined && !name.includes('#{') && name.length > 2);
}

/** Explicit role names of the control stage. */
function controlRoleNames(stage: StageView): string[] {
  return resourcesOfType(stage, 'AWS::IAM::Role')
    .map(([, role]) => render(role.Properties?.RoleName))
    .filter((name): name is string => name !== undefined && !name.includes('#{'));
}

function reachesDataPlane(
  text: string,
  stage: StageView,
  dataRegion: string,
  names: readonly string[],
): string | undefined {
  if (text === '*') return 'every resource, data-plane ones included';
  for (const arn of arnsIn(text)) {
    const place = regionPlace(arn, dataRegion);
    if (place === 'data' || (place === 'stage' && stage.region === dataRegion))
      return `${arn.text} in the data region`;
    if (place === 'wildcard') return `${arn.text}, which matches the data region`;
  }
  const name = names.find((candidate) => text.includes(candidate));
  return name === undefined ? undefined : `${text}, a data-plane resource`;
}

function fromControl(stage: StageView, dataRegion: string, names: readonly string[]): Violation[] {
  const found: Violation[] = [];
  for (const { source, statement } of identityStatements(stage)) {
    if (statement.effect !== 'Allow') continue;
    const actions = statement.notAction ? ['*'] : statement.actions.filter(touchesData);
    if (actions.length === 0) continue;
    const targets = statement.notResource ? ['*'] : statement.resources.map((r) => render(r) ?? '');
    for (const target of targets) {
      const reach = reachesDataPlane(target, stage, dataRegion, names);
      if (reach !== undefined)
        found.push({ resource: source, message: `allows ${actions.join(', ')} on ${reach}` });
    }
  }
  for (const [id, role] of resourcesOfType(stage, 'AWS::IAM::Role')) {
    for (const arn of asList(role.Properties?.ManagedPolicyArns).map((value) => render(value) ?? '?')) {
      if (!ALLOWED_MANAGED_POLICIES.some((allowed) => allowed.test(arn))) {
        found.push({
          resource: id,
          message: `carries managed policy ${arn}, which may reach data-plane resources`,
        });
      }
    }
  }
  for (const [id, fn] of resourcesOfType(stage, 'AWS::Lambda::Function')) {
    for (const { path, text } of strings(prop(fn.Properties, 'Environment') ?? {})) {
      for (const arn of arnsIn(text)) {
        if (regionPlace(arn, dataRegion) === 'data')
          found.push({ resource: id, message: `${path} points at ${arn.text}` });
      }
    }
  }
  return found;
}

/** Data-plane policies (key, resources, invoke permissions) that name a control-plane role. */
function intoData(control: StageView, stages: readonly StageView[]): Violation[] {
  const roles = controlRoleNames(control);
  if (roles.length === 0) return [];
  const found: Violation[] = [];
  for (const data of stages.filter((stage) => stage.plane === 'data')) {
    for (const [id, resource] of data.resources) {
      const documents = [
        resource.Properties?.KeyPolicy,
        resource.Properties?.PolicyDocument,
        resource.Properties?.ResourcePolicy,
      ];
      const principals = documents.flatMap((document) =>
        statementsOf(document).flatMap((statement) => principalsOf(statement, data).map((p) => p.text)),
      );
      if (resource.Type === 'AWS::Lambda::Permission')
        principals.push(render(resource.Properties?.Principal) ?? '');
      for (const name of roles) {
        if (principals.some((text) => text.endsWith(`:role/${name}`))) {
          found.push({
            resource: id,
            message: `data stage ${data.name} grants the control-plane role ${name}`,
          });
        }
      }
    }
  }
  return found;
}

/** RES-012: the control plane has no permission of any kind on data-plane resources. */
export const controlPlaneIsolation: Rule = {
  id: 'RES-012-control-plane-isolation',
  rationale:
    'The control plane only receives signed, pseudonymized batches; any permission on the vault, streams or key would let it read personal data directly.',
  fixHint:
    'Scope control-plane IAM to control-plane resources by ARN (never `*` for data services), drop broad managed policies, and never name control-plane roles in data-plane policies.',
  severity: 'error',
  planes: ['control'],
  check: ({ stage, stages, options }) => {
    if (!stages.some((other) => other.plane === 'data')) return [];
    return [...fromControl(stage, options.dataRegion, dataPlaneNames(stages)), ...intoData(stage, stages)];
  },
};
