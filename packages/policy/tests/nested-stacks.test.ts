import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LegacyStackSynthesizer, NestedStack, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../src/load-templates.ts';
import { EXIT } from '../src/report.ts';
import { runCheck } from '../src/run-check.ts';
import { ACCOUNT, DATA_REGION } from './fixtures.ts';

/** Synthesizes a parent stack with a nested stack (holding a multi-Region key) and one nested in that. */
function synthNested(outdir: string, options: { legacy?: boolean; assetMetadata?: boolean } = {}): void {
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': options.assetMetadata ?? false },
  });
  const parent = new Stack(app, 'Parent', {
    env: { account: ACCOUNT, region: DATA_REGION },
    synthesizer: options.legacy ? new LegacyStackSynthesizer() : undefined,
  });
  const inner = new NestedStack(parent, 'Inner');
  new Key(inner, 'Shared', { enableKeyRotation: true, multiRegion: true });
  const deeper = new NestedStack(inner, 'Deeper');
  new Key(deeper, 'Replicated', { enableKeyRotation: true, multiRegion: true });
  app.synth();
}

/** The nested templates of a synthesized assembly: [Inner's, Deeper's]. */
const nestedFiles = (dir: string) => {
  const names = readdirSync(dir).filter((name) => name.endsWith('.nested.template.json'));
  return [names.find((name) => !name.includes('Deeper')), names.find((name) => name.includes('Deeper'))];
};

describe('nested stacks of a cdk.out', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'residency-nested-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks each nested template (found through the asset manifest) once, under its own file name', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    synthNested(out);
    const [inner, deeper] = nestedFiles(out);
    const result = await runCheck({ templatePath: out, account: ACCOUNT });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toContain(`stages: Parent.template.json (data), ${inner} (data), ${deeper} (data)`);
    expect(result.output).toMatch(new RegExp(`- ${inner} Shared\\w+: is a multi-Region KMS key`));
    expect(result.output).toMatch(new RegExp(`- ${deeper} Replicated\\w+: is a multi-Region KMS key`));
    expect(result.output).not.toContain('RES-016');
  });

  it('follows nested stacks from a single template file, and with the legacy synthesizer’s asset parameters', async () => {
    const modern = mkdtempSync(join(dir, 'cdk.out-'));
    synthNested(modern);
    const single = await runCheck({ templatePath: join(modern, 'Parent.template.json'), account: ACCOUNT });
    expect(single.output).toMatch(/Inner\w+\.nested\.template\.json Shared\w+: is a multi-Region KMS key/);
    expect(single.output).toMatch(
      /Deeper\w+\.nested\.template\.json Replicated\w+: is a multi-Region KMS key/,
    );
    const legacy = mkdtempSync(join(dir, 'cdk.out-'));
    synthNested(legacy, { legacy: true, assetMetadata: true });
    const result = await runCheck({ templatePath: legacy, account: ACCOUNT });
    expect(result.output).toMatch(
      /Deeper\w+\.nested\.template\.json Replicated\w+: is a multi-Region KMS key/,
    );
    expect(result.output).not.toContain('RES-016');
  });

  it('follows aws:asset:path when the asset manifests are missing', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    synthNested(out, { assetMetadata: true });
    unlinkSync(join(out, 'Parent.assets.json'));
    const result = await runCheck({ templatePath: join(out, 'Parent.template.json'), account: ACCOUNT });
    expect(result.output).toMatch(/Inner\w+\.nested\.template\.json Shared\w+: is a multi-Region KMS key/);
  });

  it('fails closed on a nested stack whose template is not in the assembly', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    synthNested(out);
    const [, deeper] = nestedFiles(out);
    unlinkSync(join(out, deeper!));
    const result = await runCheck({ templatePath: out, account: ACCOUNT });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toMatch(
      /FAIL RES-016-nested-stacks-checked \(1\)[\s\S]*- ParentInner\w+\.nested\.template\.json DeeperNestedStack\w+: is a nested stack whose template \(https:\/\/s3\.ap-south-1\.#\{AWS\.URLSuffix\}\/cdk-[\w-]+\/[0-9a-f]{64}\.json\) was not found beside its parent/,
    );
  });

  it('fails closed on a template URL outside the assembly, quoting it without its signature', async () => {
    const path = join(dir, 'external.json');
    writeFileSync(
      path,
      JSON.stringify({
        Resources: {
          Child: {
            Type: 'AWS::CloudFormation::Stack',
            Properties: { TemplateURL: 'https://s3.amazonaws.com/acme/child.json?X-Amz-Signature=abc123' },
            // A path out of the directory is never followed.
            Metadata: { 'aws:asset:path': '../child.json', 'aws:asset:property': 'TemplateURL' },
          },
        },
      }),
    );
    const result = await runCheck({ templatePath: path });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toContain(
      '- external.json Child: is a nested stack whose template (https://s3.amazonaws.com/acme/child.json?***) was not found beside its parent, so what it deploys was not checked',
    );
    expect(result.output).not.toContain('abc123');
  });

  it('checks a nested template with the parameter values its parent passes, and the parent’s context', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    const hash = 'a'.repeat(64);
    const parent = (dlqArn: unknown) => ({
      Resources: {
        Child: {
          Type: 'AWS::CloudFormation::Stack',
          Properties: {
            TemplateURL: `https://s3.ap-south-1.amazonaws.com/cdk-assets/${hash}.json`,
            Parameters: { DlqArn: dlqArn },
          },
        },
      },
    });
    writeFileSync(
      join(out, 'Parent.assets.json'),
      JSON.stringify({
        files: { [hash]: { source: { path: 'Child.nested.template.json', packaging: 'file' } } },
      }),
    );
    writeFileSync(
      join(out, 'Child.nested.template.json'),
      JSON.stringify({
        Parameters: { DlqArn: { Type: 'String', Default: 'arn:aws:sqs:ap-south-1:123456789012:fine' } },
        Resources: {
          Queue: {
            Type: 'AWS::SQS::Queue',
            Properties: { RedrivePolicy: { deadLetterTargetArn: { Ref: 'DlqArn' } } },
          },
        },
      }),
    );
    const run = async (dlqArn: unknown) => {
      writeFileSync(join(out, 'Parent.template.json'), JSON.stringify(parent(dlqArn)));
      return (await runCheck({ templatePath: out, account: ACCOUNT })).output;
    };
    expect(await run('arn:aws:sqs:eu-west-1:123456789012:dlq')).toContain(
      '- Child.nested.template.json Queue: RedrivePolicy.deadLetterTargetArn arn:aws:sqs:eu-west-1:123456789012:dlq is in region eu-west-1',
    );
    const ownDlq = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:dlq',
    };
    expect(await run(ownDlq)).toContain('ok: all');
    // A value from the parent's own resources cannot be known here: unresolvable, not the child's default.
    expect(await run({ 'Fn::GetAtt': ['ParentDlq', 'Arn'] })).toContain(
      '- Child.nested.template.json Queue: RedrivePolicy.deadLetterTargetArn (#{DlqArn}) cannot be resolved from the template',
    );
    const stages = await loadTemplates(join(out, 'Parent.template.json'));
    expect(stages.map(({ name, plane, region, account }) => ({ name, plane, region, account }))).toEqual([
      { name: 'Parent.template.json', plane: 'data', region: undefined, account: undefined },
      { name: 'Child.nested.template.json', plane: 'data', region: undefined, account: undefined },
    ]);
    expect(stages[0]?.nestedStacks).toEqual({ Child: 'Child.nested.template.json' });
    expect(
      JSON.parse(readFileSync(join(out, 'Child.nested.template.json'), 'utf8')).Parameters.DlqArn.Default,
    ).toBe('arn:aws:sqs:ap-south-1:123456789012:fine');
  });
});
