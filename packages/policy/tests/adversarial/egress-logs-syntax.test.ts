/**
 * Misconfigured egress allowlists and log groups, and unusual but valid template syntax the check must read.
 * Each starts from a small template that passes every rule (`support.ts`), adds one mistake, and
 * asserts the rule and message that catch it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/report.ts';
import { runCheck } from '../../src/run-check.ts';
import { ACCOUNT, DATA_REGION, ofRule } from '../fixtures.ts';
import {
  cleanResources,
  findingsOf,
  findingsOfFile,
  handler,
  type Json,
  messages,
  template,
} from './support.ts';

describe('the egress allowlist', () => {
  it('fails a wildcard allowlist: the forwarder’s origin must be one host', () => {
    for (const origin of ['https://*', 'https://*.example.com', 'https://control.*.example.com:443']) {
      const findings = findingsOf(template({ Handler: handler({ CONTROL_PLANE_ORIGIN: origin }) }));
      expect(messages(findings, 'RES-013-egress-forwarder-only')).toEqual([
        `CONTROL_PLANE_ORIGIN ${JSON.stringify(origin)} has a wildcard host; the allowlist names exactly one host: write the control plane's own, https://host[:port]`,
      ]);
    }
  });

  it('passes one https origin', () => {
    const findings = findingsOf(
      template({ Handler: handler({ CONTROL_PLANE_ORIGIN: 'https://control.example.com' }) }),
    );
    expect(findings).toEqual([]);
  });

  it('fails an allowlist the template cannot resolve', () => {
    const findings = findingsOf(
      template({ Handler: handler({ CONTROL_PLANE_ORIGIN: { 'Fn::ImportValue': 'control-plane-url' } }) }),
    );
    expect(messages(findings, 'RES-013-egress-forwarder-only')).toEqual([
      'CONTROL_PLANE_ORIGIN (#{?}) cannot be resolved from the template, so the allowlist cannot be verified',
    ]);
  });

  it('fails a function that calls out without the allowlist setting', () => {
    const findings = findingsOf(
      template({ Handler: handler({ CONTROL_PLANE_URL: 'https://control.example.com/ingest' }) }),
    );
    expect(messages(findings, 'RES-013-egress-forwarder-only')).toEqual([
      'CONTROL_PLANE_URL holds a URL to https://control.example.com, a destination for a function that is not the forwarder',
    ]);
  });

  it('fails an address or ARN setting whose value the template cannot resolve, not an ARN of this stage’s place', () => {
    const findings = findingsOf(
      template(
        {
          Handler: handler({
            COLLECTOR_URL: { 'Fn::ImportValue': 'collector-url' },
            SinkEndpoint: { Ref: 'Sink' },
            KAFKA_BOOTSTRAP_SERVERS: { Ref: 'Brokers' },
            AUDIT_TOPIC_ARN: '{{resolve:ssm:/shared/audit-topic-arn}}',
            STAGE: { Ref: 'Stage' },
            TABLE_NAME: { 'Fn::ImportValue': 'vault-table-name' },
            ALERTS_TOPIC_ARN: {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
              'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic}',
            },
          }),
        },
        {
          Parameters: {
            Topic: { Type: 'String' },
            Sink: { Type: 'String' },
            Brokers: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/shared/brokers' },
            Stage: { Type: 'String' },
          },
        },
      ),
    );
    const suffix =
      'cannot be resolved from the template; by its name it holds an address or ARN, which may be outside the data region';
    expect(messages(findings, 'RES-013-egress-forwarder-only')).toEqual([
      `COLLECTOR_URL (#{?}) ${suffix}`,
      `SinkEndpoint (#{Sink}) ${suffix}`,
      `KAFKA_BOOTSTRAP_SERVERS (#{Brokers}) ${suffix}`,
      `AUDIT_TOPIC_ARN ({{resolve:ssm:/shared/audit-topic-arn}}) ${suffix}`,
    ]);
  });
});

describe('log retention', () => {
  it('fails a log group without retention, also when a condition removes it', () => {
    const findings = findingsOf(
      template(
        {
          HandlerLogs: {
            Type: 'AWS::Logs::LogGroup',
            Properties: { RetentionInDays: { 'Fn::If': ['InProd', 365, { Ref: 'AWS::NoValue' }] } },
          },
          Extra: { Type: 'AWS::Logs::LogGroup', Properties: {} },
        },
        { Conditions: { InProd: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ACCOUNT] } } },
      ),
    );
    expect(ofRule(findings, 'RES-009-log-retention').map((f) => `${f.resource}: ${f.message}`)).toEqual([
      'Extra: log group has no RetentionInDays, so it never expires',
      'HandlerLogs: log group has no RetentionInDays, so it never expires',
      'Handler: logs to #{HandlerLogs}, which has no retention in this template',
    ]);
  });

  it('fails a function without its own log group', () => {
    const fn = handler({}) as { Properties: Json };
    delete fn.Properties.LoggingConfig;
    const findings = findingsOf(template({ Handler: fn }));
    expect(messages(findings, 'RES-009-log-retention')).toEqual([
      'logs to the implicit group /aws/lambda/#{Handler}, which never expires',
    ]);
  });
});

describe('unusual but valid syntax', () => {
  it('reads short-form-equivalent intrinsics, conditions, metadata and language extensions without crashing', () => {
    const tpl = template(
      {
        DataKey: {
          ...cleanResources().DataKey,
          Condition: 'InProd',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Metadata: { 'aws:cdk:path': 'Stack/Key', nothing: null },
        },
        Events: {
          Type: 'AWS::Kinesis::Stream',
          DependsOn: ['DataKey'],
          Properties: {
            Name: { 'Fn::Join': ['-', ['events', { 'Fn::Select': [{ Ref: 'Index' }, { Ref: 'Names' }] }]] },
            StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': 'DataKey.Arn' } },
            Tags: [
              { Key: 'json', Value: { 'Fn::ToJsonString': { a: [1, 2] } } },
              { Key: 'length', Value: { 'Fn::Length': [1, 2, 3] } },
              { Key: 'zone', Value: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } },
              { Key: 'cidr', Value: { 'Fn::Select': [0, { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] }] } },
              { Key: 'maybe', Value: { 'Fn::If': ['InProd', 'prod', { Ref: 'AWS::NoValue' }] } },
            ],
          },
        },
        HandlerLogs: {
          Type: 'AWS::Logs::LogGroup',
          Properties: {
            RetentionInDays: { 'Fn::FindInMap': ['Retention', 'missing', 'Days', { DefaultValue: 30 }] },
            LogGroupName: {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
              'Fn::Sub': ['/residency/${Name}/${!Literal}', { Name: { Ref: 'AWS::StackName' } }],
            },
          },
        },
        Plain: { Type: 'AWS::SQS::Queue' },
        Empty: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
      {
        AWSTemplateFormatVersion: '2010-09-09',
        Transform: 'AWS::LanguageExtensions',
        Parameters: {
          Names: { Type: 'CommaDelimitedList', Default: 'a,b' },
          Index: { Type: 'Number', Default: 1 },
        },
        Conditions: {
          IsMain: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, DATA_REGION] },
          InProd: {
            'Fn::And': [{ Condition: 'IsMain' }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Index' }, 0] }] }],
          },
        },
        Mappings: { Retention: { [DATA_REGION]: { Days: 7 } } },
        Rules: {
          OnlyHere: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, DATA_REGION] } }] },
        },
        Outputs: { Stream: { Value: { Ref: 'Events' }, Export: { Name: 'events' } } },
      },
    );
    expect(findingsOf(tpl)).toEqual([]);
    expect(findingsOfFile(tpl)).toEqual([]);
  });

  it('uses AWS::Region and AWS::URLSuffix as the stack’s own, and still fails a literal other region beside them', () => {
    const findings = findingsOf(
      template({
        Handler: handler({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          KMS_ENDPOINT: { 'Fn::Sub': 'kms.${AWS::Region}.${AWS::URLSuffix}:443' },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          REPLICA_ENDPOINT: { 'Fn::Sub': 'dynamodb.eu-west-1.${AWS::URLSuffix}:443' },
        }),
      }),
    );
    expect(messages(findings, 'RES-013-egress-forwarder-only')).toEqual([
      'REPLICA_ENDPOINT holds the address dynamodb.eu-west-1.#{AWS.URLSuffix}:443, a destination for a function that is not the forwarder',
    ]);
    expect(messages(findings, 'RES-001-data-region')).toEqual([
      'Environment.Variables.REPLICA_ENDPOINT names region eu-west-1',
    ]);
  });

  it('reports a loop expanded at deploy time instead of passing what it creates', () => {
    const tpl = template({});
    const resources = tpl.Resources as Record<string, unknown>;
    resources['Fn::ForEach::Copies'] = [
      'Region',
      ['eu-west-1', 'us-east-1'],
      { 'Copy${Region}': { Type: 'AWS::SQS::Queue', Properties: {} } },
    ];
    expect(messages(findingsOf(tpl), 'RES-015-unreadable-template-parts')).toEqual([
      'Fn::ForEach::Copies is a loop expanded at deploy time (AWS::LanguageExtensions); what it creates was not checked',
    ]);
  });
});

describe('YAML templates', () => {
  it('refuses a YAML template with short-form intrinsics as unreadable input, never as clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residency-adversarial-'));
    try {
      const path = join(dir, 'template.yaml');
      writeFileSync(
        path,
        [
          'Resources:',
          '  Copy:',
          '    Type: AWS::SNS::Subscription',
          '    Properties:',
          '      TopicArn: !Ref Alerts',
          '      Protocol: sqs',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          '      Endpoint: !Sub arn:${AWS::Partition}:sqs:eu-west-1:${AWS::AccountId}:copy',
          '',
        ].join('\n'),
      );
      const result = await runCheck({ templatePath: path, dataRegion: DATA_REGION });
      expect(result.exitCode).toBe(EXIT.invalidInput);
      expect(result.output).toContain('is not JSON (convert YAML templates first');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
