import {
  type AwsClients,
  assertArnInRegion,
  assertOneAccount,
  type LiveResources,
  verifyLiveResidency,
} from '@residency/aws';
import type { ForwarderEnv } from './forwarder-env.ts';

/**
 * What the forwarder's cold start describes live: the KMS key (`KEY_ARN`) always, and each table and
 * the outbox stream given only by name, since a name carries no account. A resource whose `*_ARN`
 * is set is checked without a call: `assertForwarderInRegion` holds its ARN to the data region and
 * the key's account, and its name to the one in the ARN. (Describing those too would need
 * `dynamodb:DescribeTable` on the tables, which the deployed forwarder's role does not hold.)
 */
export function liveResourcesOf(env: ForwarderEnv): LiveResources {
  const tables: Record<string, { name: string }> = {};
  if (!env.QUARANTINE_TABLE_ARN) tables.QUARANTINE_TABLE = { name: env.QUARANTINE_TABLE };
  if (!env.EGRESS_LOG_TABLE_ARN) tables.EGRESS_LOG_TABLE = { name: env.EGRESS_LOG_TABLE };
  const streams: Record<string, { name: string }> = {};
  if (!env.OUTBOX_STREAM_ARN) streams.OUTBOX_STREAM_NAME = { name: env.OUTBOX_STREAM_NAME };
  return { dataRegion: env.DATA_REGION, keyArn: env.KEY_ARN, tables, streams };
}

/**
 * Cold-start precondition against the live resources, after the static checks and before the
 * signing key is read or anything is processed: the clients are pinned to the data region, and the
 * key and every table and stream of {@link liveResourcesOf} report ARNs in it, all in one account
 * (`verifyLiveResidency` in `@residency/aws`, the check the ingest and the window closer run), and
 * the key reports the very ARN `KEY_ARN` names, which the static checks held the configured ARNs
 * to. Throws `RegionMismatchError` or `ConfigurationError` naming the setting, or the SDK's error
 * (no such table, access denied): the function refuses to run.
 *
 * @example await verifyForwarderResidency(env, createAwsClients({ region: env.DATA_REGION }))
 */
export async function verifyForwarderResidency(
  env: ForwarderEnv,
  clients: Pick<AwsClients, 'region' | 'dynamodb' | 'kinesis' | 'kms'>,
): Promise<void> {
  await verifyLiveResidency(liveResourcesOf(env), clients);
}

/**
 * Postcondition of reading the signing key: the parameter SSM answered from (`Parameter.ARN` of
 * GetParameter, which SSM always sets) is in the data region and the key's account. Throws
 * `RegionMismatchError` or `ConfigurationError` naming `SIGNING_KEY_PARAMETER`, never its value;
 * the caller drops the value unused. An answer without an ARN (a loopback stand-in for SSM) is not
 * refused: endpoints are loopback or SSM of the data region, and SSM always reports one.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Parameter.html
 *
 * @example assertSigningKeyParameterInResidency(env, output.Parameter?.ARN)
 */
export function assertSigningKeyParameterInResidency(
  env: ForwarderEnv,
  reportedArn: string | undefined,
): void {
  if (!reportedArn) return;
  assertArnInRegion(reportedArn, env.DATA_REGION, 'SIGNING_KEY_PARAMETER');
  assertOneAccount({ KEY_ARN: env.KEY_ARN, SIGNING_KEY_PARAMETER: reportedArn });
}
