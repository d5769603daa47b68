import { accountPlace, parseArn } from './arn.ts';
import { render } from './intrinsics.ts';
import { referencedType } from './stage.ts';
import type { StageView } from './types.ts';

/**
 * AWS managed policies that only let a function run: write its own logs and traces, attach to a
 * VPC. They pass without review. (AWSLambdaBasicExecutionRole allows logs:PutLogEvents on `*`;
 * it is what every CDK and SAM function carries.)
 */
const NARROW = [
  'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AWSLambdaVPCAccessExecutionRole',
  'AWSXRayDaemonWriteAccess',
  'CloudWatchLambdaInsightsExecutionRolePolicy',
];

/**
 * AWS managed policies that grant data, identity or account-wide access on every resource: the
 * administrator and power-user policies, every `*FullAccess` and `*ReadOnlyAccess`, the job-function
 * policies, and the Lambda execution roles that read any stream, table, queue or bucket.
 */
const BROAD = [
  /^AdministratorAccess/,
  /^PowerUserAccess$/,
  /FullAccess/,
  /ReadOnlyAccess$/,
  /^job-function\//,
  /^service-role\/AWSLambda(Kinesis|DynamoDB|SQSQueue|MSKExecution)ExecutionRole$/,
  /^service-role\/AWSLambdaRole$/,
  /^AWSLambdaExecute$/,
];

/** What a role's managed policy is, from the stage's point of view. */
export type ManagedPolicy =
  | { readonly kind: 'template'; readonly text: string }
  | { readonly kind: 'narrow' | 'broad' | 'aws'; readonly text: string; readonly name: string }
  | { readonly kind: 'own' | 'outside' | 'unresolved'; readonly text: string };

/**
 * Classifies one entry of a role's `ManagedPolicyArns`: a policy of this template (its statements
 * are checked), an AWS managed policy (narrow, broad, or one to review), a customer managed policy of
 * this account (its statements are not in the template), of another account, or unresolvable.
 *
 * @example classifyManagedPolicy('arn:aws:iam::aws:policy/AdministratorAccess', stage).kind // 'broad'
 */
export function classifyManagedPolicy(value: unknown, stage: StageView): ManagedPolicy {
  const text = render(value) ?? '?';
  if (referencedType(stage, value) === 'AWS::IAM::ManagedPolicy') return { kind: 'template', text };
  const arn = parseArn(text);
  if (arn === undefined || arn.service !== 'iam' || !arn.resource.startsWith('policy/'))
    return { kind: 'unresolved', text };
  const name = arn.resource.slice('policy/'.length);
  const account = accountPlace(arn.account, stage.homeAccount);
  if (account === 'aws') {
    if (NARROW.includes(name)) return { kind: 'narrow', text, name };
    return { kind: BROAD.some((pattern) => pattern.test(name)) ? 'broad' : 'aws', text, name };
  }
  if (account === 'own') return { kind: 'own', text };
  return { kind: account === 'unknown' ? 'unresolved' : 'outside', text };
}
