import { arnsIn } from '../arn.ts';
import { bucketPlace, FIREHOSE_TYPE, firehoseValues } from '../firehose.ts';
import { isIntrinsic, prop, refTarget, render } from '../intrinsics.ts';
import { outsideReason } from '../reach.ts';
import { quoteValue } from '../redact.ts';
import { resourcesOfType, unresolvedIn } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';
import { managedPolicies, permissions } from './iam-reach.ts';

/** Where each resource type names a destination, source or target (`*` walks a list). */
const DESTINATIONS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'AWS::Lambda::EventSourceMapping': [['EventSourceArn'], ['DestinationConfig', 'OnFailure', 'Destination']],
  'AWS::Lambda::EventInvokeConfig': [
    ['DestinationConfig', 'OnSuccess', 'Destination'],
    ['DestinationConfig', 'OnFailure', 'Destination'],
  ],
  'AWS::Lambda::Function': [['DeadLetterConfig', 'TargetArn']],
  'AWS::SNS::Subscription': [['TopicArn'], ['Endpoint']],
  'AWS::SNS::Topic': [['Subscription', '*', 'Endpoint']],
  'AWS::SQS::Queue': [['RedrivePolicy', 'deadLetterTargetArn']],
  'AWS::Events::Rule': [
    ['Targets', '*', 'Arn'],
    ['Targets', '*', 'DeadLetterConfig', 'Arn'],
    ['EventBusName'],
  ],
  'AWS::Scheduler::Schedule': [
    ['Target', 'Arn'],
    ['Target', 'DeadLetterConfig', 'Arn'],
  ],
  'AWS::Logs::SubscriptionFilter': [['DestinationArn']],
  'AWS::DynamoDB::Table': [['KinesisStreamSpecification', 'StreamArn']],
  'AWS::DynamoDB::GlobalTable': [['Replicas', '*', 'KinesisStreamSpecification', 'StreamArn']],
  'AWS::CloudWatch::Alarm': [
    ['AlarmActions', '*'],
    ['OKActions', '*'],
    ['InsufficientDataActions', '*'],
  ],
  'AWS::S3::Bucket': [
    ['NotificationConfiguration', 'LambdaConfigurations', '*', 'Function'],
    ['NotificationConfiguration', 'QueueConfigurations', '*', 'Queue'],
    ['NotificationConfiguration', 'TopicConfigurations', '*', 'Topic'],
    // Inventory and analytics exports copy object listings (keys may hold personal data) to a bucket of any account or region.
    ['InventoryConfigurations', '*', 'Destination', 'BucketArn'],
    ['AnalyticsConfigurations', '*', 'StorageClassAnalysis', 'DataExport', 'Destination', 'BucketArn'],
  ],
};

function* valuesAt(value: unknown, path: readonly string[], shown: string): Generator<[string, unknown]> {
  if (value === undefined) return;
  const [head, ...rest] = path;
  if (head === undefined) {
    yield [shown, value];
    return;
  }
  if (head === '*') {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) yield* valuesAt(item, rest, `${shown}.${index}`);
    } else if (rest.length === 0 && isIntrinsic(value)) {
      // A whole list from one intrinsic (`!Ref ListParameter`, `AWS::NotificationARNs`, `Fn::Split`): checked as a value.
      yield [shown, value];
    }
    return;
  }
  yield* valuesAt(prop(value, head), rest, shown === '' ? head : `${shown}.${head}`);
}

function destinations(stage: StageView, dataRegion: string): Violation[] {
  const found: Violation[] = [];
  for (const [id, resource] of stage.resources) {
    for (const path of DESTINATIONS[resource.Type] ?? []) {
      for (const [shown, value] of valuesAt(resource.Properties, path, '')) {
        if (refTarget(value) !== undefined && stage.resources.has(refTarget(value) ?? '')) continue;
        const text = render(value) ?? '';
        const arns = arnsIn(text);
        for (const arn of arns) {
          const reason = outsideReason(arn, stage, dataRegion);
          if (reason !== undefined) found.push({ resource: id, message: `${shown} ${arn.text} ${reason}` });
        }
        if (arns.length === 0 && unresolvedIn(text, stage).length > 0)
          found.push({
            resource: id,
            message: `${shown} (${quoteValue(text)}) cannot be resolved from the template`,
          });
      }
    }
    const region = render(prop(resource.Properties, 'Region'));
    // `AWS::Region` is the stack's own region, which RES-001 requires to be the data region.
    const elsewhere = region !== undefined && region !== dataRegion && region !== '#{AWS.Region}';
    if (resource.Type === 'AWS::SNS::Subscription' && elsewhere) {
      found.push({ resource: id, message: `subscribes to a topic in region ${region}` });
    }
  }
  return found;
}

/**
 * A delivery stream's ARNs (sources, domains, keys, roles, Lambda processors) are in region and
 * account, and an S3 bucket it writes to is not known to be another account's or region's (one whose
 * owner cannot be told is left to RES-015 for review: bucket ARNs name neither).
 */
function firehoseDestinations(
  stage: StageView,
  stages: readonly StageView[],
  dataRegion: string,
): Violation[] {
  const found: Violation[] = [];
  for (const [id, stream] of resourcesOfType(stage, FIREHOSE_TYPE)) {
    for (const { path, key, value } of firehoseValues(stream.Properties)) {
      if (key === 'BucketARN') {
        const bucket = bucketPlace(value, stage, stages, dataRegion);
        if (bucket.place === 'outside')
          found.push({
            resource: id,
            message: `${path} ${quoteValue(render(value) ?? '?')} ${bucket.reason}`,
          });
        continue;
      }
      if (stage.resources.has(refTarget(value) ?? '')) continue;
      const text = render(value) ?? '';
      const arns = arnsIn(text);
      for (const arn of arns) {
        const reason = outsideReason(arn, stage, dataRegion);
        if (reason !== undefined) found.push({ resource: id, message: `${path} ${arn.text} ${reason}` });
      }
      if (arns.length === 0 && /ARN$/i.test(key) && unresolvedIn(text, stage).length > 0)
        found.push({
          resource: id,
          message: `${path} (${quoteValue(text)}) cannot be resolved from the template`,
        });
    }
  }
  return found;
}

/** RES-005: destinations, subscriptions, targets and permissions stay in region and in account. */
export const noCrossRegionDestinations: Rule = {
  id: 'RES-005-no-cross-region-destinations',
  rationale:
    'A subscription, destination, target or permission pointing at another region or account is a path out of the region that bypasses the egress guard.',
  fixHint:
    'Point destinations, subscriptions and IAM resources at resources of this stack or ARNs in the data region and account; scope IAM to specific ARNs, never `*`.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage, stages, options }) => [
    ...destinations(stage, options.dataRegion),
    ...firehoseDestinations(stage, stages, options.dataRegion),
    ...permissions(stage, options.dataRegion),
    ...managedPolicies(stage, options.dataRegion),
  ],
};

/** The resource types this rule knows. */
export const destinationTypes: readonly string[] = [...Object.keys(DESTINATIONS), FIREHOSE_TYPE];
