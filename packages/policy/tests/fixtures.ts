import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import type { CfnTemplate, EvaluateOptions, Finding, Plane, StageTemplate } from '../src/types.ts';

/** Our test account and data region. */
export const ACCOUNT = '123456789012';
export const DATA_REGION = 'ap-south-1';

type MutableResource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };
/** A template whose resources a test may change. */
export type Resources = Record<string, MutableResource>;

/** Our two stages, synthesized once per run by global-setup.ts, with placeholder configuration only. */
export async function ownStages(): Promise<StageTemplate[]> {
  return inject('ownStages');
}

/**
 * A copy of our stages with one plane's resources changed.
 *
 * @example const stages = await variant('data', (r) => { r[id(r, 'AWS::KMS::Key', 'DataKey')]!.Properties.MultiRegion = true; });
 */
export async function variant(
  plane: Plane,
  change: (resources: Resources) => void,
): Promise<StageTemplate[]> {
  const stages = structuredClone(await ownStages());
  const stage = stages.find((candidate) => candidate.plane === plane);
  if (stage === undefined) throw new Error(`no ${plane} stage`);
  change(stage.template.Resources as Resources);
  return stages;
}

/** The logical id of the one resource of a type whose id starts with a prefix. */
export function id(resources: Resources, type: string, prefix: string): string {
  const ids = Object.keys(resources).filter((key) => resources[key]?.Type === type && key.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** The resource of a type whose logical id starts with a prefix. */
export function resource(resources: Resources, type: string, prefix: string): MutableResource {
  return resources[id(resources, type, prefix)]!;
}

/** The environment variables of a function. */
export function env(resources: Resources, prefix: string): Record<string, unknown> {
  const fn = resource(resources, 'AWS::Lambda::Function', prefix);
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/**
 * A template from a small CDK stack built in the test (plain CDK, not SST), in our account.
 *
 * @example cdkTemplate((stack) => new Key(stack, 'K', { multiRegion: true }))
 */
export function cdkTemplate(build: (stack: Stack) => void, region = DATA_REGION): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'Variant', { env: { account: ACCOUNT, region } });
  build(stack);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

/** A data-plane stage from a template. */
export function dataStage(template: CfnTemplate, name = 'variant'): StageTemplate {
  return { name, plane: 'data', template, region: DATA_REGION, account: ACCOUNT };
}

/** Evaluates with our data region. */
export function check(stages: readonly StageTemplate[], options: Partial<EvaluateOptions> = {}): Finding[] {
  return evaluate(stages, { dataRegion: DATA_REGION, ...options });
}

/** The rule ids of findings, deduplicated. */
export function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => finding.ruleId))].sort();
}

/** The findings of one rule. */
export function ofRule(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((finding) => finding.ruleId === ruleId);
}
