import { redactUrls } from './redact.ts';
import { rules as allRules } from './rules/index.ts';
import { viewOf } from './stage.ts';
import type { EvaluateOptions, Finding, Rule, StageTemplate } from './types.ts';
import { variantsOf } from './variants.ts';

/**
 * Runs the rules over one or more stages. Each rule sees one stage at a time and, for rules that
 * look across stages (control-plane isolation), all of them. A stage is checked in every way it
 * can deploy (both branches of each `Fn::If`, each allowed parameter value; see `variantsOf`), and
 * a finding in any of them is reported once.
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
  const stages = templates.flatMap((template) =>
    variantsOf(template, options.account ?? template.account).map((variant) => viewOf(variant, options)),
  );
  const findings = stages.flatMap((stage) =>
    rules
      .filter((rule) => rule.planes.includes(stage.plane))
      .flatMap((rule) =>
        rule.check({ stage, stages, options }).map((violation) => ({
          ruleId: rule.id,
          severity: rule.severity,
          stage: stage.name,
          resource: violation.resource,
          // Rules quote values with secrets redacted; this makes sure no URL's userinfo, query or fragment slips through.
          message: redactUrls(violation.message),
          fixHint: rule.fixHint,
        })),
      ),
  );
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = JSON.stringify([finding.ruleId, finding.stage, finding.resource, finding.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
