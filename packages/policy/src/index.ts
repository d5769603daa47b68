/**
 * @residency/policy: residency rules over CloudFormation templates, and `runCheck`, which the
 * `residency check` command calls.
 */
export { TemplateError } from './errors.ts';
export { evaluate } from './evaluate.ts';
export { KNOWN_TYPES } from './known-types.ts';
export { loadTemplates } from './load-templates.ts';
export { type OwnStagesOptions, synthesizeOwnStages } from './own-stages.ts';
export { type CheckSubject, EXIT, exitCodeOf, formatJson, formatText } from './report.ts';
export { rules } from './rules/index.ts';
export { type CheckResult, type RunCheckOptions, runCheck } from './run-check.ts';
export type {
  CfnResource,
  CfnTemplate,
  EvaluateOptions,
  Finding,
  Plane,
  Rule,
  RuleContext,
  Severity,
  StageTemplate,
  StageView,
  Violation,
} from './types.ts';
