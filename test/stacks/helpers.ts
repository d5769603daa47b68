import { Template } from 'aws-cdk-lib/assertions';
import { type SynthesizeOptions, synthesizeStages } from '../../stacks/lib/synth.ts';

/** A synthesized stage as an assertions `Template`, with the raw JSON for custom checks. */
export interface StageUnderTest {
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
}

/** Synthesizes one plane offline. */
export async function synthesizePlane(
  plane: 'data' | 'control',
  options: SynthesizeOptions = {},
): Promise<StageUnderTest> {
  const [stage] = await synthesizeStages({ ...options, planes: [plane] });
  if (stage === undefined) throw new Error(`no ${plane} stage synthesized`);
  return {
    template: Template.fromJSON(stage.template),
    json: stage.template as StageUnderTest['json'],
    stackName: stage.stackName,
    region: stage.region,
    account: stage.account,
  };
}

/** Logical ids of the resources of a type. */
export function idsOfType(stage: StageUnderTest, type: string): string[] {
  return Object.entries(stage.json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

/** The logical id of the one resource of a type whose id starts with a prefix. */
export function idOf(stage: StageUnderTest, type: string, prefix: string): string {
  const ids = idsOfType(stage, type).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** Logical ids referenced (Ref / GetAtt, pseudo parameters excluded) anywhere inside a value. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) ids.add(record.Ref);
      const getAtt = record['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
      Object.values(record).forEach(walk);
    }
  };
  walk(value);
  return ids;
}

/**
 * IAM actions the policies of a function's role grant, per resource logical id the statement
 * references (`${Table.Arn}/index/*` counts for `Table`): {@link grantsByResource}, keyed by ids.
 */
export function actionsByResource(stage: StageUnderTest, functionPrefix: string): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const [target, actions] of grantsByResource(stage, functionPrefix)) {
    const ids = stage.json.Resources[target]
      ? [target]
      : [...target.matchAll(/\$\{([A-Za-z0-9]+)\.[A-Za-z.]+\}/g)].map((m) => m[1] as string);
    for (const id of ids) {
      const into = result.get(id) ?? new Set<string>();
      for (const action of actions) into.add(action);
      result.set(id, into);
    }
  }
  return result;
}

/**
 * IAM actions the policies of a function's role grant, per resource: a resource the template
 * references (Ref / GetAtt) by its logical id, any other by its ARN text with the partition, region
 * and account filled in (`arn:aws:ssm:ap-south-1:123456789012:parameter/...`), `*` as `*`. Throws
 * on a statement this reading would get wrong (Deny, conditions, NotAction, NotResource).
 */
export function grantsByResource(stage: StageUnderTest, functionPrefix: string): Map<string, Set<string>> {
  const role = idOf(stage, 'AWS::IAM::Role', `${functionPrefix}ServiceRole`);
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': stage.region,
    'AWS::AccountId': stage.account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const text = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const record = (node ?? {}) as Record<string, unknown>;
    if (typeof record.Ref === 'string') return pseudo[record.Ref] ?? `\${${record.Ref}}`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
      return join[1].map(text).join(join[0]);
    throw new Error(`${functionPrefix}: cannot read the resource ${JSON.stringify(node)}`);
  };
  const resourceOf = (node: unknown): string | undefined => {
    const record = (node ?? {}) as Record<string, unknown>;
    if (record.Ref === 'AWS::NoValue') return undefined;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) return record.Ref;
    return text(node);
  };
  const result = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(stage.json.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' || !referencedIds(resource.Properties?.Roles).has(role))
      continue;
    const document = resource.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    for (const statement of document.Statement) {
      const { Effect, Action, Resource, ...rest } = statement;
      if (Effect !== 'Allow' || Object.keys(rest).some((key) => key !== 'Sid'))
        throw new Error(`${id}: a statement this reading does not handle: ${JSON.stringify(statement)}`);
      for (const target of [Resource].flat().map(resourceOf)) {
        if (target === undefined) continue;
        const actions = result.get(target) ?? new Set<string>();
        for (const action of [Action].flat() as string[]) actions.add(action);
        result.set(target, actions);
      }
    }
  }
  return result;
}
