import { describe, expect, it } from 'vitest';
import { rules } from '../src/rules/index.ts';
import { runCheck } from '../src/run-check.ts';
import { check, DATA_REGION, ofRule, ownStages } from './fixtures.ts';

describe('our own stacks', () => {
  it('synthesize offline into a data stage in the data region and a control stage elsewhere', async () => {
    const stages = await ownStages();
    expect(stages.map(({ plane, region }) => ({ plane, region }))).toEqual([
      { plane: 'data', region: DATA_REGION },
      { plane: 'control', region: 'eu-central-1' },
    ]);
  });

  it('pass every rule, checked across both stages', async () => {
    expect(check(await ownStages())).toEqual([]);
  });

  it('fail RES-001 when the data stage is not in the region the check expects', async () => {
    const findings = check(await ownStages(), { dataRegion: 'eu-west-1' });
    expect(ofRule(findings, 'RES-001-data-region')).toContainEqual(
      expect.objectContaining({
        resource: '(stage)',
        message: expect.stringContaining('deploys to ap-south-1'),
      }),
    );
  });

  it('has rules with unique ids, a rationale and a fix hint each', () => {
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^RES-\d{3}-[a-z-]+$/);
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(rule.fixHint.length).toBeGreaterThan(20);
      expect(rule.rationale).not.toContain('\n');
    }
    expect(rules.length).toBeGreaterThanOrEqual(14);
  });
});

describe('runCheck without a template', () => {
  it('synthesizes both stages in process, checks them across stages and exits 0', async () => {
    const report = JSON.parse((await runCheck({ dataRegion: DATA_REGION, json: true, env: {} })).output);
    expect(report).toMatchObject({ ok: true, exitCode: 0, dataRegion: DATA_REGION, findings: [] });
    expect(report.stages).toEqual([
      { name: 'check-data-residency-DataPlane', plane: 'data', region: DATA_REGION },
      { name: 'check-control-residency-ControlPlane', plane: 'control', region: 'eu-central-1' },
    ]);
    expect(report.rules.map((rule: { id: string }) => rule.id)).toEqual(rules.map((rule) => rule.id));
  });

  it('exits 3 with the variable named when a RESIDENCY_* setting is invalid', async () => {
    const result = await runCheck({ dataRegion: DATA_REGION, env: { RESIDENCY_LOG_RETENTION_DAYS: '31' } });
    expect(result.exitCode).toBe(3);
    expect(result.output).toContain('RESIDENCY_LOG_RETENTION_DAYS');
  });
});
