import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/report.ts';
import { runCheck } from '../src/run-check.ts';
import { ACCOUNT, cdkTemplate } from './fixtures.ts';

describe('runCheck with a template', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'residency-policy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a clean template', async () => {
    const path = file(
      'clean.json',
      cdkTemplate((stack) => new LogGroup(stack, 'Logs', { retention: RetentionDays.ONE_WEEK })),
    );
    const result = await runCheck({ templatePath: path, dataRegion: 'ap-south-1' });
    expect(result).toEqual({ exitCode: EXIT.clean, output: expect.stringContaining('ok: all') });
  });

  it('exits 1 with a readable report naming the rule, the resource and the fix', async () => {
    const path = file(
      'multi.json',
      cdkTemplate((stack) => new Key(stack, 'Key', { multiRegion: true })),
    );
    const result = await runCheck({ templatePath: path, dataRegion: 'ap-south-1', account: ACCOUNT });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toMatch(
      /FAIL RES-003-single-region-keys \(1\)\n {2}why: .+\n {2}fix: .+\n {2}- multi.json Key\w+: is a multi-Region KMS key/,
    );
    expect(result.output).toMatch(/FAIL RES-006-key-rotation/);
  });

  it('reports findings as JSON with --json', async () => {
    const path = file(
      'json.json',
      cdkTemplate((stack) => new Key(stack, 'Key', { enableKeyRotation: false })),
    );
    const report = JSON.parse((await runCheck({ templatePath: path, json: true, account: ACCOUNT })).output);
    expect(report.ok).toBe(false);
    expect(report.exitCode).toBe(EXIT.violations);
    expect(report.findings).toContainEqual({
      ruleId: 'RES-006-key-rotation',
      severity: 'error',
      stage: 'json.json',
      resource: expect.stringMatching(/^Key/),
      message: 'does not enable automatic key rotation',
      fixHint: expect.any(String),
    });
  });

  it('exits 2 when only items for review remain', async () => {
    const path = file('review.json', {
      Resources: { Dist: { Type: 'AWS::CloudFront::Distribution', Properties: {} } },
    });
    const result = await runCheck({ templatePath: path });
    expect(result.exitCode).toBe(EXIT.review);
    expect(result.output).toContain('REVIEW RES-014-unknown-resource-type');
    expect(
      (await runCheck({ templatePath: path, acceptTypes: ['AWS::CloudFront::Distribution'] })).exitCode,
    ).toBe(EXIT.clean);
  });

  it('prints no userinfo, query or fragment of a URL from the template, in text or JSON', async () => {
    const path = file('secrets.json', {
      Resources: {
        Forwarder: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                CONTROL_PLANE_ORIGIN: 'https://user:S3cr3tPw@control.example.com/in?token=T0kenV4l#Fr4gment',
                SINK: '{"url":"https://svc:hunter2@collector.example.com/in?key=K3yV4l"}',
              },
            },
          },
        },
      },
    });
    const text = await runCheck({ templatePath: path, account: ACCOUNT });
    const json = await runCheck({ templatePath: path, account: ACCOUNT, json: true });
    expect(text.output).toContain(
      'CONTROL_PLANE_ORIGIN "https://***@control.example.com" carries credentials',
    );
    expect(text.output).toContain('SINK holds a URL to https://collector.example.com');
    for (const output of [text.output, json.output])
      expect(output).not.toMatch(/S3cr3tPw|T0kenV4l|Fr4gment|hunter2|K3yV4l/);
  });

  it('counts literal account ids as outside until told the stage account', async () => {
    const template = {
      Resources: {
        Q: {
          Type: 'AWS::SQS::Queue',
          Properties: { RedrivePolicy: { deadLetterTargetArn: `arn:aws:sqs:ap-south-1:${ACCOUNT}:dlq` } },
        },
      },
    };
    const path = file('account.json', template);
    const unknown = await runCheck({ templatePath: path });
    expect(unknown.exitCode).toBe(EXIT.violations);
    expect(unknown.output).toContain('pass the stage account');
    expect((await runCheck({ templatePath: path, account: ACCOUNT })).exitCode).toBe(EXIT.clean);
  });

  it('checks every *.template.json of a directory (a cdk.out)', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    writeFileSync(join(out, 'A.template.json'), JSON.stringify({ Resources: {} }));
    writeFileSync(
      join(out, 'B.template.json'),
      JSON.stringify({ Resources: { K: { Type: 'AWS::KMS::ReplicaKey', Properties: {} } } }),
    );
    writeFileSync(join(out, 'manifest.json'), '{}');
    const result = await runCheck({ templatePath: out });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toContain('stages: A.template.json (data), B.template.json (data)');
  });

  it('checks the stacks of nested cloud assemblies (CDK Stages) named in manifest.json', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    const multiRegionKey = { Resources: { K: { Type: 'AWS::KMS::ReplicaKey', Properties: {} } } };
    writeFileSync(join(out, 'Pipeline.template.json'), JSON.stringify({ Resources: {} }));
    writeFileSync(
      join(out, 'manifest.json'),
      JSON.stringify({
        version: '48.0.0',
        artifacts: {
          Pipeline: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'Pipeline.template.json' },
          },
          'assembly-Prod': {
            type: 'cdk:cloud-assembly',
            properties: { directoryName: 'stage-prod', displayName: 'Prod' },
          },
        },
      }),
    );
    mkdirSync(join(out, 'stage-prod'));
    writeFileSync(join(out, 'stage-prod', 'ProdData.template.json'), JSON.stringify(multiRegionKey));
    const result = await runCheck({ templatePath: out });
    expect(result.exitCode).toBe(EXIT.violations);
    expect(result.output).toContain('- stage-prod/ProdData.template.json K: is a replica');
  });

  it('checks assembly-* folders of a cdk.out without a manifest', async () => {
    const out = mkdtempSync(join(dir, 'cdk.out-'));
    mkdirSync(join(out, 'assembly-Beta', 'assembly-Inner'), { recursive: true });
    writeFileSync(
      join(out, 'assembly-Beta', 'assembly-Inner', 'Deep.template.json'),
      JSON.stringify({ Resources: { K: { Type: 'AWS::KMS::ReplicaKey', Properties: {} } } }),
    );
    const result = await runCheck({ templatePath: out });
    expect(result.output).toContain('assembly-Beta/assembly-Inner/Deep.template.json K: is a replica');
  });

  it('reads a template that starts with a UTF-8 byte order mark', async () => {
    const path = file('bom.json', `\uFEFF${JSON.stringify({ Resources: {} })}`);
    expect((await runCheck({ templatePath: path })).exitCode).toBe(EXIT.clean);
  });

  it('says where invalid JSON breaks, and that an empty file is empty', async () => {
    const comma = file('comma.json', '{\n  "Resources": {"A": {"Type": "AWS::S3::Bucket",}}\n}');
    expect((await runCheck({ templatePath: comma })).output).toMatch(
      /comma.json: is not valid JSON: .*at position 50 \(line 2, column 49\)\n$/,
    );
    const empty = file('empty.json', '');
    expect((await runCheck({ templatePath: empty })).output).toBe(`residency check: ${empty}: is empty\n`);
  });

  it('exits 3 on input it cannot check', async () => {
    expect((await runCheck({ templatePath: join(dir, 'missing.json') })).output).toMatch(
      /missing.json: cannot be read/,
    );
    const yaml = file('t.yaml', 'Resources:\n  A:\n    Type: AWS::SQS::Queue\n');
    expect(await runCheck({ templatePath: yaml })).toEqual({
      exitCode: EXIT.invalidInput,
      output: expect.stringContaining('is not JSON (convert YAML templates first'),
    });
    const notTemplate = file('not.json', { hello: 'world' });
    const json = JSON.parse((await runCheck({ templatePath: notTemplate, json: true })).output);
    expect(json).toEqual({
      ok: false,
      exitCode: EXIT.invalidInput,
      error: expect.stringContaining('no Resources object'),
    });
  });
});
