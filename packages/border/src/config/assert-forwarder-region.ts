import { assertArnInRegion, assertRegion } from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/**
 * Cold-start precondition: the function runs in the data region and every ARN it was given (KMS
 * key, stream, tables) names the data region. Throws `RegionMismatchError`; the function refuses
 * to run (fail closed).
 */
export function assertForwarderInRegion(env: ForwarderEnv): void {
  if (!env.RESIDENCY_LOCAL_MODE || env.AWS_REGION)
    assertRegion(env.AWS_REGION, env.DATA_REGION, 'forwarder function');
  assertArnInRegion(env.KEY_ARN, env.DATA_REGION, 'KMS key');
  if (env.OUTBOX_STREAM_ARN) assertArnInRegion(env.OUTBOX_STREAM_ARN, env.DATA_REGION, 'outbox stream');
  if (env.QUARANTINE_TABLE_ARN)
    assertArnInRegion(env.QUARANTINE_TABLE_ARN, env.DATA_REGION, 'quarantine table');
  if (env.EGRESS_LOG_TABLE_ARN)
    assertArnInRegion(env.EGRESS_LOG_TABLE_ARN, env.DATA_REGION, 'egress log table');
}
