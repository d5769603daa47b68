import { type Arn, accountPlace, arnsIn, outsideAccount, regionPlace } from '../arn.ts';
import { identityStatements } from '../iam.ts';
import { prop, refTarget, render } from '../intrinsics.ts';
import { unresolvedIn } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

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
  'AWS::CloudWatch::Alarm': [
    ['AlarmActions', '*'],
    ['OKActions', '*'],
    ['InsufficientDataActions', '*'],
  ],
  'AWS::S3::Bucket': [
    ['NotificationConfiguration', 'LambdaConfigurations', '*', 'Function'],
    ['NotificationConfiguration', 'QueueConfigurations', '*', 'Queue'],
    ['NotificationConfiguration', 'TopicConfigurations', '*', 'Topic'],
  ],
};

/** Services whose actions read, write or move data; on `*` they reach every region. */
const DATA_SERVICES = [
  'dynamodb',
  'kinesis',
  'kms',
  's3',
  'sqs',
  'sns',
  'firehose',
  'lambda',
  'events',
  'scheduler',
  'states',
  'ssm',
  'secretsmanager',
  'rds',
  'rds-data',
  'es',
  'glue',
  'athena',
  'backup',
  'elasticfilesystem',
];

/** Whether an action pattern can touch a data service. */
export function touchesData(action: string): boolean {
  if (action === '*') return true;
  const [service] = action.split(':');
  return service !== undefined && DATA_SERVICES.includes(service);
}

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
    }
    return;
  }
  yield* valuesAt(prop(value, head), rest, shown === '' ? head : `${shown}.${head}`);
}

/** Why an ARN is outside the region or account, or undefined when it is inside. */
export function outsideReason(arn: Arn, stage: StageView, dataRegion: string): string | undefined {
  const region = regionPlace(arn, dataRegion);
  if (region === 'other') return `is in region ${arn.region}`;
  if (region === 'wildcard') return 'matches every region';
  if (region === 'unknown') return `has a region (${arn.region}) that cannot be resolved from the template`;
  if (region === 'global' && arn.service === 's3') return 'is an S3 bucket, whose ARN names no region';
  const account = accountPlace(arn.account, stage.homeAccount);
  if (account === 'other' || account === 'unverified') return `is ${outsideAccount(account, arn.account)}`;
  if (account === 'wildcard') return 'matches every account';
  if (account === 'unknown')
    return `has an account (${arn.account}) that cannot be resolved from the template`;
  return undefined;
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
          found.push({ resource: id, message: `${shown} (${text}) cannot be resolved from the template` });
      }
    }
    const region = render(prop(resource.Properties, 'Region'));
    if (resource.Type === 'AWS::SNS::Subscription' && region !== undefined && region !== dataRegion) {
      found.push({ resource: id, message: `subscribes to a topic in region ${region}` });
    }
  }
  return found;
}

function permissions(stage: StageView, dataRegion: string): Violation[] {
  const found: Violation[] = [];
  for (const { source, statement } of identityStatements(stage)) {
    if (statement.effect !== 'Allow') continue;
    const dataActions = statement.notAction ? ['*'] : statement.actions.filter(touchesData);
    if (dataActions.length === 0) continue;
    for (const resource of statement.resources) {
      const text = render(resource) ?? '';
      if (text === '*' || statement.notResource) {
        found.push({
          resource: source,
          message: `allows ${dataActions.join(', ')} on every resource, in every region`,
        });
        continue;
      }
      const arns = arnsIn(text);
      for (const arn of arns) {
        const reason = outsideReason(arn, stage, dataRegion);
        if (reason !== undefined)
          found.push({ resource: source, message: `allows access to ${arn.text}, which ${reason}` });
      }
      if (arns.length === 0 && unresolvedIn(text, stage).length > 0)
        found.push({
          resource: source,
          message: `allows access to ${text}, which cannot be resolved from the template`,
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
  check: ({ stage, options }) => [
    ...destinations(stage, options.dataRegion),
    ...permissions(stage, options.dataRegion),
  ],
};

/** The resource types this rule knows. */
export const destinationTypes: readonly string[] = Object.keys(DESTINATIONS);
