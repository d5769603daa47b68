import {
  assertArnInRegion,
  assertAwsRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
} from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/**
 * Cold-start precondition: `DATA_REGION` is a region name, the function runs there and every ARN
 * it was given (KMS key, stream, tables) names it; `KEY_ARN` is the ARN of a KMS key; and all the
 * ARNs are in one account. Throws `RegionMismatchError` or `ConfigurationError`; the function
 * refuses to run (fail closed). Local mode may leave `AWS_REGION` unset (no Lambda sets it).
 */
export function assertForwarderInRegion(env: ForwarderEnv): void {
  assertAwsRegion(env.DATA_REGION, 'DATA_REGION');
  if (!env.RESIDENCY_LOCAL_MODE || env.AWS_REGION)
    assertRegion(env.AWS_REGION, env.DATA_REGION, 'forwarder function');
  assertKeyArnInRegion(env.KEY_ARN, env.DATA_REGION, 'KEY_ARN');
  if (env.OUTBOX_STREAM_ARN) assertArnInRegion(env.OUTBOX_STREAM_ARN, env.DATA_REGION, 'outbox stream');
  if (env.QUARANTINE_TABLE_ARN)
    assertArnInRegion(env.QUARANTINE_TABLE_ARN, env.DATA_REGION, 'quarantine table');
  if (env.EGRESS_LOG_TABLE_ARN)
    assertArnInRegion(env.EGRESS_LOG_TABLE_ARN, env.DATA_REGION, 'egress log table');
  assertOneAccount({
    KEY_ARN: env.KEY_ARN,
    OUTBOX_STREAM_ARN: env.OUTBOX_STREAM_ARN,
    QUARANTINE_TABLE_ARN: env.QUARANTINE_TABLE_ARN,
    EGRESS_LOG_TABLE_ARN: env.EGRESS_LOG_TABLE_ARN,
  });
}
