import { type Arn, accountPlace, outsideAccount, regionPlace } from './arn.ts';
import { render } from './intrinsics.ts';
import type { StageView } from './types.ts';

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

/** Why an ARN is outside the region or account, or undefined when it is inside. */
export function outsideReason(arn: Arn, stage: StageView, dataRegion: string): string | undefined {
  const region = regionPlace(arn, dataRegion);
  if (region === 'other') return `is in region ${arn.region}`;
  if (region === 'wildcard') return 'matches every region';
  if (region === 'unknown') return `has a region (${arn.region}) that cannot be resolved from the template`;
  if (region === 'global' && arn.service === 's3' && !isOwnBucket(arn, stage))
    return 'is an S3 bucket, whose ARN names no region';
  const account = accountPlace(arn.account, stage.homeAccount);
  if (account === 'other' || account === 'unverified') return `is ${outsideAccount(account, arn.account)}`;
  if (account === 'wildcard') return 'matches every account';
  if (account === 'unknown')
    return `has an account (${arn.account}) that cannot be resolved from the template`;
  return undefined;
}

/**
 * Whether an S3 ARN names a bucket of this template: by reference (`${Bucket}`) or by the literal
 * name it is given (`BucketName`). Bucket ARNs name no region or account, so only that tells.
 */
export function isOwnBucket(arn: Arn, stage: StageView): boolean {
  const [bucket = ''] = arn.resource.split('/');
  const target = /^#\{([^}.]+)\}$/.exec(bucket)?.[1];
  return [...stage.resources].some(
    ([id, resource]) =>
      resource.Type === 'AWS::S3::Bucket' &&
      (id === target || render(resource.Properties?.BucketName) === bucket),
  );
}
