import { refTarget } from './intrinsics.ts';
import type { CfnResource, EvaluateOptions, StageTemplate, StageView } from './types.ts';

/**
 * Whether an entry of `Resources` is a resource: logical ids are alphanumeric, so `Fn::ForEach::*`
 * loops and `Fn::Transform` includes are not (RES-015 reports them).
 */
export function isResourceEntry(key: string): boolean {
  return !key.includes('::');
}

/** Indexes a stage's resources for the rules. */
export function viewOf(stage: StageTemplate, options: EvaluateOptions): StageView {
  const resources = new Map(
    Object.entries(stage.template.Resources ?? {}).filter(([id]) => isResourceEntry(id)),
  );
  return { ...stage, resources, homeAccount: options.account ?? stage.account };
}

/** The resources of these types, as `[logicalId, resource]`. */
export function resourcesOfType(stage: StageView, ...types: readonly string[]): [string, CfnResource][] {
  return [...stage.resources].filter(([, resource]) => types.includes(resource.Type));
}

/** The type of the resource a `Ref`/`GetAtt` points at, if it is in this template. */
export function referencedType(stage: StageView, value: unknown): string | undefined {
  const target = refTarget(value);
  return target === undefined ? undefined : stage.resources.get(target)?.Type;
}

/**
 * Pseudo parameters that name the stack's own place (its region, account, partition, name), as
 * opposed to `AWS::NotificationARNs`, whose topics are whatever the deployer passes, anywhere.
 */
const OWN_PSEUDO_PARAMETERS = ['Region', 'AccountId', 'Partition', 'URLSuffix', 'StackName', 'StackId'];

/**
 * The placeholders of a rendered string that nothing in the template resolves: parameters without
 * a default, imports, mappings with unknown keys (`#{?}`), `AWS::NotificationARNs`. Pseudo
 * parameters of the stack's own place (`#{AWS.Region}`) and this template's resources are known.
 *
 * @example unresolvedIn('#{Table.Arn}/#{DestinationArn}', stage) // ['#{DestinationArn}']
 */
export function unresolvedIn(text: string, stage: StageView): string[] {
  return [...text.matchAll(/#\{([^}]*)\}/g)]
    .filter(([, inner = '']) => {
      const [head = '', name = ''] = inner.split('.');
      if (head === 'AWS') return !OWN_PSEUDO_PARAMETERS.includes(name);
      return !stage.resources.has(head);
    })
    .map(([placeholder]) => placeholder);
}
