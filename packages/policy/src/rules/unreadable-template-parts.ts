import { bucketPlace, FIREHOSE_TYPE, firehoseValues, unreadableDeliveries } from '../firehose.ts';
import { asList, isIntrinsic, render } from '../intrinsics.ts';
import { classifyManagedPolicy } from '../managed-policies.ts';
import { POLICY_PROPERTY, readPolicyText } from '../policy-text.ts';
import { quoteValue } from '../redact.ts';
import { isResourceEntry, resourcesOfType } from '../stage.ts';
import type { EvaluateOptions, Rule, StageView, Violation } from '../types.ts';

/**
 * Transforms whose output the rules still see for what it is: SAM resources are types no rule
 * knows (RES-014), and AWS::LanguageExtensions' loops are reported here.
 */
const KNOWN_TRANSFORMS = ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'];

/** What inside a value changes at deploy time or cannot be read: includes, loops, policy text. */
function* unreadable(value: unknown, path: string): Generator<string> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* unreadable(item, `${path}.${index}`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === 'Fn::Transform') {
      const name = render((item as { Name?: unknown } | null)?.Name) ?? '?';
      const location = render((item as { Parameters?: { Location?: unknown } } | null)?.Parameters?.Location);
      yield `${at} runs ${name}${location === undefined ? '' : ` (${quoteValue(location)})`} at deploy time, so what deploys is not what was checked`;
      continue;
    }
    if (key.startsWith('Fn::ForEach::')) {
      yield `${at} is a loop expanded at deploy time (AWS::LanguageExtensions); what it creates was not checked`;
      continue;
    }
    const text = POLICY_PROPERTY.test(key) && !isIntrinsic(value) ? readPolicyText(item) : undefined;
    if (text !== undefined && 'error' in text) {
      yield `${at} is policy text that cannot be read as JSON (${text.error}), so what it grants was not checked`;
      continue;
    }
    yield* unreadable(item, at);
  }
}

/** Managed policies of data-plane roles whose statements are not in the template (RES-005 fails the broad ones). */
function unseenManagedPolicies(stage: StageView): Violation[] {
  return resourcesOfType(stage, 'AWS::IAM::Role').flatMap(([id, role]) =>
    asList(role.Properties?.ManagedPolicyArns).flatMap((value) => {
      const policy = classifyManagedPolicy(value, stage);
      if (policy.kind !== 'aws' && policy.kind !== 'own') return [];
      const what =
        policy.kind === 'aws' ? `the AWS managed policy ${policy.name}` : `the managed policy ${policy.text}`;
      return [{ resource: id, message: `carries ${what}, whose statements are not in the template` }];
    }),
  );
}

/**
 * Where a delivery stream sends data that the template does not say: an S3 bucket whose owner
 * cannot be told (RES-005 fails one known to be outside), a destination named by its endpoint, a
 * source or destination no rule reads.
 */
function unseenDeliveries(
  stage: StageView,
  stages: readonly StageView[],
  options: EvaluateOptions,
): Violation[] {
  return resourcesOfType(stage, FIREHOSE_TYPE).flatMap(([id, stream]) => [
    ...[...firehoseValues(stream.Properties)].flatMap(({ path, key, value }) => {
      if (key !== 'BucketARN') return [];
      const bucket = bucketPlace(value, stage, stages, options.dataRegion);
      if (bucket.place !== 'unknown') return [];
      const shown = quoteValue(render(value) ?? '?');
      return [
        {
          resource: id,
          message: `${path} ${shown} ${bucket.reason}, so whether records stay in the data region and account was not checked`,
        },
      ];
    }),
    ...unreadableDeliveries(stream).map((message) => ({ resource: id, message })),
  ]);
}

/** RES-015: the checked template is what deploys, and every part of it could be read. */
export const unreadableTemplateParts: Rule = {
  id: 'RES-015-unreadable-template-parts',
  rationale:
    'The check vouches only for what it reads: a macro, an include or a loop rewrites the template at deploy time, and a policy it cannot parse, or a managed policy kept outside the template, may grant anything; a Firehose destination whose owner the template does not say may be anyone’s.',
  fixHint:
    'Check the processed template instead (aws cloudformation get-template --template-stage Processed, or the change set), write policies as JSON objects, not text, put data-plane permissions in the template instead of managed policies, and deliver Firehose streams to this template’s buckets and domains (by Ref or GetAtt).',
  severity: 'review',
  planes: ['data', 'control'],
  check: ({ stage, stages, options }) => {
    const found: Violation[] = [];
    for (const transform of asList(stage.template.Transform)) {
      const name = render(transform) ?? render((transform as { Name?: unknown } | null)?.Name) ?? '?';
      if (!KNOWN_TRANSFORMS.includes(name)) {
        found.push({
          resource: '(stage)',
          message: `Transform ${name} is a macro that rewrites the template at deploy time, so what deploys is not what was checked`,
        });
      }
    }
    if (stage.plane === 'data')
      found.push(...unseenManagedPolicies(stage), ...unseenDeliveries(stage, stages, options));
    for (const [id, entry] of Object.entries(stage.template.Resources ?? {})) {
      const messages = isResourceEntry(id)
        ? [...unreadable((entry as { Properties?: unknown } | null)?.Properties, '')]
        : [...unreadable({ [id]: entry }, '')];
      for (const message of messages) found.push({ resource: isResourceEntry(id) ? id : '(stage)', message });
    }
    return found;
  },
};
