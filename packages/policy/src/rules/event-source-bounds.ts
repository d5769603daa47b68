import { accountPlace, parseArn, regionPlace } from '../arn.ts';
import { forwarders } from '../egress.ts';
import { prop, refTarget, render } from '../intrinsics.ts';
import { referencedType, resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/** Stream sources: the only ones where retries, record age and on-failure destinations apply. */
function isStreamSource(value: unknown, stage: StageView): boolean {
  const type = referencedType(stage, value);
  if (type !== undefined) {
    return [
      'AWS::Kinesis::Stream',
      'AWS::Kinesis::StreamConsumer',
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::GlobalTable',
    ].includes(type);
  }
  const arn = parseArn(render(value) ?? '');
  return (
    arn !== undefined &&
    (arn.service === 'kinesis' || (arn.service === 'dynamodb' && arn.resource.includes('/stream/')))
  );
}

function unbounded(value: unknown): boolean {
  const text = render(value);
  return text === undefined || text === '-1';
}

function destinationProblem(value: unknown, stage: StageView, dataRegion: string): string | undefined {
  if (value === undefined)
    return 'has no on-failure destination, so records given up on are lost without a trace';
  const type = referencedType(stage, value);
  if (type === 'AWS::SQS::Queue' || type === 'AWS::SNS::Topic') return undefined;
  if (type === 'AWS::S3::Bucket') return 'sends failed batches to S3, which receives whole payloads';
  const arn = parseArn(render(value) ?? '');
  if (arn === undefined)
    return `has an on-failure destination that cannot be resolved (${render(value) ?? '?'})`;
  if (arn.service === 's3') return `sends failed batches to S3 (${arn.text}), which receives whole payloads`;
  if (arn.service !== 'sqs' && arn.service !== 'sns')
    return `has an on-failure destination that is not a queue or topic (${arn.text})`;
  const region = regionPlace(arn, dataRegion);
  const account = accountPlace(arn.account, stage.homeAccount);
  if ((region !== 'data' && region !== 'stage') || account !== 'own') {
    return `has an on-failure destination outside the data region or account (${arn.text})`;
  }
  return undefined;
}

/**
 * RES-008: stream event source mappings have finite retries and age, and an in-region queue for
 * failures; except the forwarder's (the function holding the egress allowlist), which must retry
 * until its records expire: a batch the control plane has not acknowledged yet (it is down, say)
 * must wait in the outbox stream, not be discarded after a few retries.
 */
export const eventSourceBounds: Rule = {
  id: 'RES-008-event-source-bounds',
  rationale:
    'Lambda retries a stream batch forever by default, and an S3 failure destination receives the whole payload; bounded retries into an in-region queue keep failures visible and in region.',
  fixHint:
    "Set MaximumRetryAttempts and MaximumRecordAgeInSeconds (not -1) and DestinationConfig.OnFailure to an SQS queue or SNS topic of this stack; on the forwarder's mapping set both to -1 instead.",
  severity: 'error',
  planes: ['data', 'control'],
  check: ({ stage, options }) => {
    const found: Violation[] = [];
    for (const [id, mapping] of resourcesOfType(stage, 'AWS::Lambda::EventSourceMapping')) {
      const props = mapping.Properties ?? {};
      if (!isStreamSource(props.EventSourceArn, stage)) continue;
      const target = refTarget(props.FunctionName);
      const feedsForwarder = target !== undefined && forwarders(stage).includes(target);
      const retries = props.MaximumRetryAttempts;
      const age = props.MaximumRecordAgeInSeconds;
      if (feedsForwarder) {
        if (!unbounded(retries))
          found.push({
            resource: id,
            message: `feeds the forwarder but gives up on a batch after ${render(retries) ?? '?'} retries: records the control plane has not acknowledged are discarded (set MaximumRetryAttempts to -1)`,
          });
        if (!unbounded(age))
          found.push({
            resource: id,
            message: `feeds the forwarder but discards records older than ${render(age) ?? '?'} s while the control plane may be down (set MaximumRecordAgeInSeconds to -1)`,
          });
      } else {
        if (unbounded(retries))
          found.push({
            resource: id,
            message: 'retries a failing batch forever (MaximumRetryAttempts unset or -1)',
          });
        if (unbounded(age))
          found.push({
            resource: id,
            message: 'keeps records forever (MaximumRecordAgeInSeconds unset or -1)',
          });
      }
      const problem = destinationProblem(
        prop(props, 'DestinationConfig', 'OnFailure', 'Destination'),
        stage,
        options.dataRegion,
      );
      if (problem !== undefined) found.push({ resource: id, message: problem });
    }
    return found;
  },
};
