import { rules as allRules } from './rules/index.ts';
import { viewOf } from './stage.ts';
import type { EvaluateOptions, Finding, Rule, StageTemplate } from './types.ts';

/**
 * Runs the rules over one or more stages. Each rule sees one stage at a time and, for rules that
 * look across stages (control-plane isolation), all of them.
 *
 * @example
 * const findings = evaluate([{ name: 'my-stack', plane: 'data', template }], { dataRegion: 'ap-south-1' });
 * if (findings.length > 0) console.log(findings.map((f) => `${f.ruleId} ${f.resource}: ${f.message}`));
 */
export function evaluate(
  templates: readonly StageTemplate[],
  options: EvaluateOptions,
  rules: readonly Rule[] = allRules,
): Finding[] {
  const stages = templates.map((template) => viewOf(template, options));
  return stages.flatMap((stage) =>
    rules
      .filter((rule) => rule.planes.includes(stage.plane))
      .flatMap((rule) =>
        rule.check({ stage, stages, options }).map((violation) => ({
          ruleId: rule.id,
          severity: rule.severity,
          stage: stage.name,
          resource: violation.resource,
          message: violation.message,
          fixHint: rule.fixHint,
        })),
      ),
  );
}
