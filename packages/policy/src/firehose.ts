/**
 * Where an `AWS::KinesisFirehose::DeliveryStream` delivers, for the rules: S3 buckets (RES-005 fails
 * one of another account or region, RES-015 reviews one whose owner cannot be told), destinations
 * outside AWS (RES-013), and destinations the check cannot read (RES-015).
 * See https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kinesisfirehose-deliverystream.html
 */
import { accountPlace, outsideAccount, parseArn, regionNamesIn } from './arn.ts';
import { isIntrinsic, prop, refTarget, render, UNKNOWN } from './intrinsics.ts';
import { isOwnBucket, outsideReason } from './reach.ts';
import { quoteValue } from './redact.ts';
import type { CfnResource, StageView } from './types.ts';

/** The resource type. */
export const FIREHOSE_TYPE = 'AWS::KinesisFirehose::DeliveryStream';

/** Destinations outside AWS: what they are and where their address is. */
const EXTERNAL: Readonly<Record<string, { what: string; endpoint: readonly string[] }>> = {
  HttpEndpointDestinationConfiguration: {
    what: 'an HTTP endpoint',
    endpoint: ['EndpointConfiguration', 'Url'],
  },
  SplunkDestinationConfiguration: { what: 'Splunk', endpoint: ['HECEndpoint'] },
  SnowflakeDestinationConfiguration: { what: 'Snowflake', endpoint: ['AccountUrl'] },
};

/** AWS destinations that may be named by an endpoint instead of an ARN, which says whose they are. */
const BY_ENDPOINT: Readonly<Record<string, string>> = {
  ElasticsearchDestinationConfiguration: 'ClusterEndpoint',
  AmazonopensearchserviceDestinationConfiguration: 'ClusterEndpoint',
  AmazonOpenSearchServerlessDestinationConfiguration: 'CollectionEndpoint',
  RedshiftDestinationConfiguration: 'ClusterJDBCURL',
};

/** Sources, destinations and settings the rules read; another `*Configuration` is reviewed. */
const KNOWN_CONFIGURATIONS = [
  ...Object.keys(EXTERNAL),
  ...Object.keys(BY_ENDPOINT),
  'S3DestinationConfiguration',
  'ExtendedS3DestinationConfiguration',
  'IcebergDestinationConfiguration',
  'KinesisStreamSourceConfiguration',
  'MSKSourceConfiguration',
  'DirectPutSourceConfiguration',
  'DeliveryStreamEncryptionConfigurationInput',
];

/** A value inside a delivery stream's properties, with its dotted path and the key it sits under. */
export interface FirehoseValue {
  readonly path: string;
  readonly key: string;
  readonly value: unknown;
}

/** Every scalar or intrinsic in a delivery stream's properties (lists and objects walked). */
export function* firehoseValues(value: unknown, path = '', key = ''): Generator<FirehoseValue> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* firehoseValues(item, `${path}.${index}`, key);
    return;
  }
  if (typeof value === 'object' && value !== null && !isIntrinsic(value)) {
    for (const [name, item] of Object.entries(value))
      yield* firehoseValues(item, path === '' ? name : `${path}.${name}`, name);
    return;
  }
  if (value !== undefined) yield { path, key, value };
}

/** Whose an S3 bucket a delivery stream writes to is: this stage's, someone else's, or unknown. */
export type BucketPlace =
  | { readonly place: 'inside' }
  | { readonly place: 'outside' | 'unknown'; readonly reason: string };

/**
 * Where a `BucketARN` points. A bucket ARN names no region or account, so a bucket counts as
 * inside only when it is this template's; it is outside when another checked stage declares it in
 * another region or account, or its name carries another region or account id (`logs-999999999999-eu-west-1`);
 * otherwise whose it is cannot be told from the template.
 */
export function bucketPlace(
  value: unknown,
  stage: StageView,
  stages: readonly StageView[],
  dataRegion: string,
): BucketPlace {
  const target = refTarget(value);
  if (target !== undefined && stage.resources.get(target)?.Type === 'AWS::S3::Bucket')
    return { place: 'inside' };
  const text = render(value) ?? UNKNOWN;
  const arn = parseArn(text);
  if (arn === undefined) return { place: 'unknown', reason: 'cannot be resolved from the template' };
  if (arn.region !== '' || arn.account !== '' || arn.service !== 's3') {
    const reason = outsideReason(arn, stage, dataRegion);
    return reason === undefined ? { place: 'inside' } : { place: 'outside', reason };
  }
  if (isOwnBucket(arn, stage)) return { place: 'inside' };
  const [bucket = ''] = arn.resource.split('/');
  if (bucket.includes('#{'))
    return { place: 'unknown', reason: 'names a bucket that cannot be resolved from the template' };
  const declared = declaringStage(bucket, stage, stages, dataRegion);
  if (declared !== undefined) return declared;
  const region = regionNamesIn(bucket).find((name) => name !== dataRegion);
  if (region !== undefined) return { place: 'outside', reason: `is an S3 bucket named for region ${region}` };
  for (const [account] of bucket.matchAll(/(?<!\d)\d{12}(?!\d)/g)) {
    const place = accountPlace(account, stage.homeAccount);
    if (place === 'other' || place === 'unverified')
      return {
        place: 'outside',
        reason: `is an S3 bucket named for an account ${outsideAccount(place, account)}`,
      };
  }
  return {
    place: 'unknown',
    reason: 'is an S3 bucket that is not this template’s, and its ARN names no account or region',
  };
}

/** The place of a bucket another checked stage declares by name, when that stage's place is known. */
function declaringStage(
  bucket: string,
  stage: StageView,
  stages: readonly StageView[],
  dataRegion: string,
): BucketPlace | undefined {
  for (const other of stages) {
    if (other.name === stage.name) continue;
    const declares = [...other.resources.values()].some(
      (resource) => resource.Type === 'AWS::S3::Bucket' && render(resource.Properties?.BucketName) === bucket,
    );
    if (!declares) continue;
    if (other.region !== undefined && other.region !== dataRegion)
      return {
        place: 'outside',
        reason: `is the S3 bucket of stage ${other.name}, in region ${other.region}`,
      };
    if (
      other.homeAccount !== undefined &&
      stage.homeAccount !== undefined &&
      other.homeAccount !== stage.homeAccount
    )
      return {
        place: 'outside',
        reason: `is the S3 bucket of stage ${other.name}, in account ${other.homeAccount}`,
      };
    if (
      other.region === dataRegion &&
      other.homeAccount !== undefined &&
      other.homeAccount === stage.homeAccount
    )
      return { place: 'inside' };
  }
  return undefined;
}

/** Destinations outside AWS a delivery stream sends to, with their address quoted safely. */
export function externalDeliveries(resource: CfnResource): readonly string[] {
  return Object.entries(EXTERNAL).flatMap(([configuration, { what, endpoint }]) => {
    const config = prop(resource.Properties, configuration);
    if (config === undefined) return [];
    const address = render(prop(config, ...endpoint));
    return [
      `delivers records to ${what}${address === undefined ? '' : ` (${quoteValue(address)})`}, outside AWS`,
    ];
  });
}

/** What of a delivery stream the check cannot read: destinations named by endpoint, unknown configurations. */
export function unreadableDeliveries(resource: CfnResource): readonly string[] {
  return Object.keys(resource.Properties ?? {}).flatMap((name) => {
    const endpoint = BY_ENDPOINT[name];
    if (endpoint !== undefined) {
      const address = render(prop(resource.Properties, name, endpoint));
      return address === undefined
        ? []
        : [
            `${name}.${endpoint} (${quoteValue(address)}) names a destination by its endpoint, which does not say whose it is`,
          ];
    }
    return name.endsWith('Configuration') && !KNOWN_CONFIGURATIONS.includes(name)
      ? [`${name} is a source or destination no residency rule reads`]
      : [];
  });
}
