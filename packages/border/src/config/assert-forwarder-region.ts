import {
  type Arn,
  assertArnInRegion,
  assertAwsRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
  ConfigurationError,
} from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/**
 * Precondition: a `*_ARN` setting is the ARN of the very table or stream its name setting names,
 * the one the forwarder's calls use; otherwise the region and account checks would be about
 * another resource. Throws `ConfigurationError` naming the ARN setting.
 */
function assertArnNames(
  arn: Arn,
  expected: { service: string; kind: 'table' | 'stream'; name: string },
  settings: { arn: string; name: string },
): void {
  if (arn.service !== expected.service || arn.resource !== `${expected.kind}/${expected.name}`) {
    throw new ConfigurationError(
      `${settings.arn} must be the ARN of the ${expected.kind} ${settings.name} names ('${expected.name}'); refusing to run`,
      settings.arn,
    );
  }
}

/**
 * Cold-start precondition: `DATA_REGION` is a region name, the function runs there and every ARN
 * it was given (KMS key, stream, tables) names it; `KEY_ARN` is the ARN of a KMS key; a stream or
 * table ARN names the stream or table of its name setting; and all the ARNs (a signing key
 * parameter given by ARN too) are in one account.
 * Throws `RegionMismatchError` or `ConfigurationError`; the function refuses to run (fail closed).
 * Local mode (outside a Lambda function: `assertLocalModeAllowed`) may leave `AWS_REGION` unset.
 * Resources given only by name are checked against their live ARNs by `verifyForwarderResidency`.
 */
export function assertForwarderInRegion(env: ForwarderEnv): void {
  assertAwsRegion(env.DATA_REGION, 'DATA_REGION');
  if (!env.RESIDENCY_LOCAL_MODE || env.AWS_REGION)
    assertRegion(env.AWS_REGION, env.DATA_REGION, 'forwarder function');
  assertKeyArnInRegion(env.KEY_ARN, env.DATA_REGION, 'KEY_ARN');
  if (env.OUTBOX_STREAM_ARN)
    assertArnNames(
      assertArnInRegion(env.OUTBOX_STREAM_ARN, env.DATA_REGION, 'outbox stream'),
      { service: 'kinesis', kind: 'stream', name: env.OUTBOX_STREAM_NAME },
      { arn: 'OUTBOX_STREAM_ARN', name: 'OUTBOX_STREAM_NAME' },
    );
  if (env.QUARANTINE_TABLE_ARN)
    assertArnNames(
      assertArnInRegion(env.QUARANTINE_TABLE_ARN, env.DATA_REGION, 'quarantine table'),
      { service: 'dynamodb', kind: 'table', name: env.QUARANTINE_TABLE },
      { arn: 'QUARANTINE_TABLE_ARN', name: 'QUARANTINE_TABLE' },
    );
  if (env.EGRESS_LOG_TABLE_ARN)
    assertArnNames(
      assertArnInRegion(env.EGRESS_LOG_TABLE_ARN, env.DATA_REGION, 'egress log table'),
      { service: 'dynamodb', kind: 'table', name: env.EGRESS_LOG_TABLE },
      { arn: 'EGRESS_LOG_TABLE_ARN', name: 'EGRESS_LOG_TABLE' },
    );
  // SSM takes a parameter's ARN for its name (a shared parameter); a plain name is checked live.
  if (env.SIGNING_KEY_PARAMETER?.startsWith('arn:'))
    assertArnInRegion(env.SIGNING_KEY_PARAMETER, env.DATA_REGION, 'SIGNING_KEY_PARAMETER');
  assertOneAccount({
    KEY_ARN: env.KEY_ARN,
    SIGNING_KEY_PARAMETER: env.SIGNING_KEY_PARAMETER,
    OUTBOX_STREAM_ARN: env.OUTBOX_STREAM_ARN,
    QUARANTINE_TABLE_ARN: env.QUARANTINE_TABLE_ARN,
    EGRESS_LOG_TABLE_ARN: env.EGRESS_LOG_TABLE_ARN,
  });
}
