import { IDENTITY_POLICY_TYPES } from './iam.ts';
import { egressTypes } from './rules/egress-forwarder-only.ts';
import { nestedStackTypes } from './rules/nested-stacks-checked.ts';
import { destinationTypes } from './rules/no-cross-region-destinations.ts';
import { accessTypes } from './rules/no-external-access.ts';
import { replicationTypes } from './rules/no-replication.ts';

/** Types some rule inspects beyond the per-rule lists imported above. */
const INSPECTED = [
  'AWS::KMS::Key',
  'AWS::KMS::ReplicaKey',
  'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer',
  'AWS::DynamoDB::GlobalTable',
  'Custom::DynamoDBReplica',
  'AWS::Logs::LogGroup',
  'Custom::LogRetention',
  ...IDENTITY_POLICY_TYPES,
];

/**
 * Types that hold no data and open no path by themselves, so no rule needs to look inside:
 * reviewed once, here, instead of in every report.
 */
const NEUTRAL = [
  'AWS::CDK::Metadata',
  'AWS::KMS::Alias',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::Logs::MetricFilter',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::SSM::Parameter',
  // Auto scaling of a provisioned table (RESIDENCY_VAULT_CAPACITY=provisioned): a capacity range
  // and a target-tracking policy on a table of the same stack and region; no data, no route.
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
];

/** Every resource type the rules know; anything else is reported for review (RES-014). */
export const KNOWN_TYPES: ReadonlySet<string> = new Set([
  ...INSPECTED,
  ...NEUTRAL,
  ...destinationTypes,
  ...accessTypes,
  ...replicationTypes,
  ...egressTypes,
  ...nestedStackTypes,
]);
