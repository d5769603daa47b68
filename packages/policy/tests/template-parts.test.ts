import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPolicyText } from '../src/policy-text.ts';
import { EXIT } from '../src/report.ts';
import { runCheck } from '../src/run-check.ts';
import type { CfnTemplate } from '../src/types.ts';
import { ACCOUNT, check, dataStage, ofRule } from './fixtures.ts';

const REVIEW = 'RES-015-unreadable-template-parts';

function findings(template: CfnTemplate, ruleId: string) {
  return ofRule(check([dataStage(template)], { account: ACCOUNT }), ruleId).map((f) => f.message);
}

function keyWith(policy: unknown): CfnTemplate {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, KeyPolicy: policy } },
    },
  };
}

describe('policies given as JSON text', () => {
  it('reads a key policy written with Fn::Sub, intrinsics included', () => {
    const text = JSON.stringify({
      Statement: [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        { Effect: 'Allow', Principal: { AWS: '${Role.Arn}' }, Action: 'kms:Decrypt', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:root' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect(findings(keyWith({ 'Fn::Sub': text }), 'RES-010-key-policy')).toEqual([
      'lets arn:aws:iam::999999999999:root, outside this account (999999999999), use or manage the key',
    ]);
  });

  it('reads a role inline policy given as a plain JSON string', () => {
    const template: CfnTemplate = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [
              {
                PolicyName: 'all',
                PolicyDocument: JSON.stringify({
                  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
                }),
              },
            ],
          },
        },
      },
    };
    expect(findings(template, 'RES-005-no-cross-region-destinations')).toEqual([
      'allows * on every resource, in every region',
    ]);
  });

  it('reads Fn::Join text and gives intrinsics back as intrinsics', () => {
    const text = readPolicyText({
      'Fn::Join': [
        '',
        [
          '{"Statement":[{"Principal":{"AWS":"',
          { 'Fn::GetAtt': ['Role', 'Arn'] },
          '"},"Resource":"arn:aws:s3:::',
          { Ref: 'B' },
          '/*"}]}',
        ],
      ],
    });
    expect(text).toEqual({
      document: {
        Statement: [
          {
            Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } },
            Resource: { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'B' }, '/*']] },
          },
        ],
      },
    });
    expect(readPolicyText({ Statement: [] })).toBeUndefined();
  });

  it('reports policy text it cannot parse for review', () => {
    expect(findings(keyWith('{"Statement": [}'), REVIEW)).toEqual([
      expect.stringMatching(/^KeyPolicy is policy text that cannot be read as JSON \(.+\)/),
    ]);
  });
});

describe('RES-015-unreadable-template-parts', () => {
  it('reports a macro, but not the SAM or language-extensions transforms', () => {
    const macro: CfnTemplate = { Transform: ['ReplicateEverything'], Resources: {} };
    expect(findings(macro, REVIEW)).toEqual([
      'Transform ReplicateEverything is a macro that rewrites the template at deploy time, so what deploys is not what was checked',
    ]);
    const known: CfnTemplate = {
      Transform: ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'],
      Resources: {},
    };
    expect(findings(known, REVIEW)).toEqual([]);
  });

  it('reports Fn::Transform (AWS::Include) inside a resource', () => {
    const template: CfnTemplate = {
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            'Fn::Transform': {
              Name: 'AWS::Include',
              Parameters: { Location: 's3://snippets/replication.yaml' },
            },
          },
        },
      },
    };
    expect(findings(template, REVIEW)).toEqual([
      'Fn::Transform runs AWS::Include (s3://snippets/replication.yaml) at deploy time, so what deploys is not what was checked',
    ]);
  });

  it('exits 2 on a Fn::ForEach loop of AWS::LanguageExtensions instead of rejecting the template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residency-foreach-'));
    try {
      const path = join(dir, 'loop.template.json');
      const table = { Type: 'AWS::DynamoDB::Table', Properties: {} };
      writeFileSync(
        path,
        JSON.stringify({
          Transform: 'AWS::LanguageExtensions',
          Resources: { 'Fn::ForEach::Tables': ['Name', ['A', 'B'], { 'Table${Name}': table }] },
        }),
      );
      const result = await runCheck({ templatePath: path, account: ACCOUNT });
      expect(result.exitCode).toBe(EXIT.review);
      expect(result.output).toContain('Fn::ForEach::Tables is a loop expanded at deploy time');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
