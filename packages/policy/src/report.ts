import type { Finding, Rule, StageTemplate } from './types.ts';

/** Exit codes of a check. */
export const EXIT = {
  /** No findings. */
  clean: 0,
  /** At least one rule was violated. */
  violations: 1,
  /** No violations, but resources a human must review (unknown types). */
  review: 2,
  /** The input could not be checked (unreadable or invalid template). */
  invalidInput: 3,
} as const;

/** The exit code for a set of findings. */
export function exitCodeOf(findings: readonly Finding[]): number {
  if (findings.some((finding) => finding.severity === 'error')) return EXIT.violations;
  return findings.length > 0 ? EXIT.review : EXIT.clean;
}

/** What was checked, for the report header. */
export interface CheckSubject {
  readonly stages: readonly Pick<StageTemplate, 'name' | 'plane' | 'region'>[];
  readonly dataRegion: string;
  readonly rules: readonly Rule[];
}

/** A report for people: findings grouped by rule, each rule with its rationale and fix. */
export function formatText(subject: CheckSubject, findings: readonly Finding[]): string {
  const stages = subject.stages
    .map((s) => `${s.name} (${s.plane}${s.region ? `, ${s.region}` : ''})`)
    .join(', ');
  const lines = [
    `residency check: ${subject.rules.length} rules, data region ${subject.dataRegion}`,
    `stages: ${stages}`,
    '',
  ];
  for (const rule of subject.rules) {
    const hits = findings.filter((finding) => finding.ruleId === rule.id);
    if (hits.length === 0) continue;
    lines.push(`${rule.severity === 'error' ? 'FAIL' : 'REVIEW'} ${rule.id} (${hits.length})`);
    lines.push(`  why: ${rule.rationale}`);
    lines.push(`  fix: ${rule.fixHint}`);
    for (const hit of hits) lines.push(`  - ${hit.stage} ${hit.resource}: ${hit.message}`);
    lines.push('');
  }
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const reviews = findings.length - errors;
  lines.push(
    findings.length === 0
      ? `ok: all ${subject.rules.length} rules pass`
      : `${errors} violation${errors === 1 ? '' : 's'}, ${reviews} for review`,
  );
  return `${lines.join('\n')}\n`;
}

/** A report for machines (`--json`). */
export function formatJson(subject: CheckSubject, findings: readonly Finding[]): string {
  return `${JSON.stringify(
    {
      ok: findings.length === 0,
      exitCode: exitCodeOf(findings),
      dataRegion: subject.dataRegion,
      stages: subject.stages.map(({ name, plane, region }) => ({ name, plane, region })),
      rules: subject.rules.map(({ id, severity, rationale, fixHint }) => ({
        id,
        severity,
        rationale,
        fixHint,
      })),
      findings,
    },
    null,
    2,
  )}\n`;
}
