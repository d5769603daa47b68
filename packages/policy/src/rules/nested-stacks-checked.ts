import { render } from '../intrinsics.ts';
import { NESTED_STACK_TYPE } from '../nested-stacks.ts';
import { quoteValue } from '../redact.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule } from '../types.ts';

/** RES-016: every nested stack's template is checked with its parent (fail closed when it is not found). */
export const nestedStacksChecked: Rule = {
  id: 'RES-016-nested-stacks-checked',
  rationale:
    'A nested stack deploys whatever its template holds, in the parent’s region and account; a template the check did not read may hold anything.',
  fixHint:
    'Check the whole cdk.out (CDK writes each nested stack as *.nested.template.json beside its parent, with its asset manifest), or pass the nested templates to the check with their parent.',
  severity: 'error',
  planes: ['data', 'control'],
  check: ({ stage, stages }) =>
    resourcesOfType(stage, NESTED_STACK_TYPE).flatMap(([id, resource]) => {
      const checkedAs = stage.nestedStacks?.[id];
      if (checkedAs !== undefined && stages.some((other) => other.name === checkedAs)) return [];
      const url = render(resource.Properties?.TemplateURL);
      return [
        {
          resource: id,
          message: `is a nested stack whose template${url === undefined ? '' : ` (${quoteValue(url)})`} was not found beside its parent, so what it deploys was not checked`,
        },
      ];
    }),
};

/** The resource types this rule knows. */
export const nestedStackTypes: readonly string[] = [NESTED_STACK_TYPE];
