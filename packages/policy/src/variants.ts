import { isIntrinsic } from './intrinsics.ts';
import { withPolicyTexts } from './policy-text.ts';
import { type Assignment, resolveValue } from './resolve.ts';
import type { CfnResource, CfnTemplate, StageTemplate } from './types.ts';

/**
 * How many variants a stage is checked in at most. Beyond it, the variants still take every branch
 * of every condition and every allowed value of every parameter at least once, just not in every
 * combination.
 */
export const MAX_VARIANTS = 64;

/** A choice the template leaves to deploy time, with the values it can take. */
interface Choice {
  readonly kind: 'condition' | 'parameter';
  readonly name: string;
  readonly options: readonly unknown[];
}

/**
 * The ways a template can deploy: one resolved template per assignment of its conditions (both
 * branches of every `Fn::If`) and parameters (the default, or every allowed value). A violation in
 * any variant is a violation of the template.
 *
 * Conditions are taken as independent (their definitions are not evaluated), so a combination that
 * cannot happen may be checked too; that errs on the side of reporting.
 *
 * @example variantsOf({ name: 't', plane: 'data', template }, '123456789012').length // 2 for one condition used in Fn::If
 */
export function variantsOf(stage: StageTemplate, account = stage.account): StageTemplate[] {
  const choices = [...conditionChoices(stage.template), ...parameterChoices(stage.template)];
  return assignments(choices).map((assignment) => ({
    ...stage,
    template: resolveTemplate(stage, { ...assignment, account }),
  }));
}

function resolveTemplate(
  stage: StageTemplate,
  assignment: Assignment & { readonly account: string | undefined },
): CfnTemplate {
  const scope = { ...assignment, mappings: stage.template.Mappings, region: stage.region };
  const resources = Object.entries(stage.template.Resources ?? {}).map(([id, resource]) => {
    if (typeof resource !== 'object' || resource === null || resource.Properties === undefined)
      return [id, resource] as const;
    const properties = withPolicyTexts(resolveValue(resource.Properties, scope)) as CfnResource['Properties'];
    return [id, { ...resource, Properties: properties }] as const;
  });
  return { ...stage.template, Resources: Object.fromEntries(resources) };
}

/** Every condition an `Fn::If` in the resources names: each can be true or false. */
function conditionChoices(template: CfnTemplate): Choice[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const branches = isIntrinsic(value) ? value['Fn::If'] : undefined;
    if (Array.isArray(branches) && typeof branches[0] === 'string') names.add(branches[0]);
    for (const item of Object.values(value)) visit(item);
  };
  visit(template.Resources);
  return [...names].sort().map((name) => ({ kind: 'condition', name, options: [true, false] }));
}

/**
 * The values each parameter can take: every allowed value, else its default. A parameter without
 * either, or one whose value comes from SSM (its default is a parameter name, not a value), stays
 * unresolved, and rules report what it decides as unresolvable.
 */
function parameterChoices(template: CfnTemplate): Choice[] {
  const parameters = (template.Parameters ?? {}) as Record<string, unknown>;
  return Object.entries(parameters).flatMap(([name, raw]): Choice[] => {
    const { Type: type, Default: fallback, AllowedValues: allowed } = (raw ?? {}) as Record<string, unknown>;
    const typeName = typeof type === 'string' ? type : 'String';
    if (typeName.startsWith('AWS::SSM::Parameter::Value')) return [];
    const list = typeName.includes('List');
    const asValue = (value: unknown) => (list ? String(value).split(',') : value);
    if (!list && Array.isArray(allowed) && allowed.length > 0)
      return [{ kind: 'parameter', name, options: allowed }];
    return fallback === undefined ? [] : [{ kind: 'parameter', name, options: [asValue(fallback)] }];
  });
}

/** Every combination of choices, or, beyond MAX_VARIANTS, enough variants to take every option once. */
function assignments(choices: readonly Choice[]): Assignment[] {
  const combinations = choices.reduce((count, choice) => count * choice.options.length, 1);
  const picks: number[][] =
    combinations <= MAX_VARIANTS
      ? choices.reduce<number[][]>(
          (partial, choice) => partial.flatMap((pick) => choice.options.map((_, index) => [...pick, index])),
          [[]],
        )
      : Array.from({ length: Math.max(...choices.map((choice) => choice.options.length)) }, (_, round) =>
          choices.map((choice) => round % choice.options.length),
        );
  return picks.map((pick) => {
    const conditions = new Map<string, boolean>();
    const parameters = new Map<string, unknown>();
    for (const [index, choice] of choices.entries()) {
      const option = choice.options[pick[index] ?? 0];
      if (choice.kind === 'condition') conditions.set(choice.name, option === true);
      else parameters.set(choice.name, option);
    }
    return { conditions, parameters };
  });
}
