import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from './clients.ts';
import { ConfigurationError } from './errors.ts';
import { assertArnInRegion, assertOneAccount, assertRegion, multiRegionKeyError } from './region.ts';

/** What a function was configured with, as {@link verifyLiveResidency} checks it against the live resources. */
export interface LiveResources {
  /** The region every client is pinned to and every resource must report. */
  dataRegion: string;
  /** The KMS key (`KEY_ARN`), described by its ARN. */
  keyArn: string;
  /** Tables by the setting that names them (e.g. `VAULT_TABLE`), each by the name the function's calls use. */
  tables: Readonly<Record<string, { name: string }>>;
  /** Streams by setting (e.g. `OUTBOX_STREAM_NAME`), likewise. */
  streams: Readonly<Record<string, { name: string }>>;
}

/**
 * The cold-start residency check against the live resources: the clients are pinned to the data
 * region, and every table (DescribeTable), stream (DescribeStreamSummary) and the KMS key
 * (DescribeKey) report ARNs in it, all in one account, and the key is not multi-Region. Tables and streams given by name carry no
 * account in the environment; their live ARNs do, so a key of another account is caught here. A
 * region mismatch is a `RegionMismatchError`, an account mismatch a `ConfigurationError` naming the
 * settings, and an AWS error (no such table, access denied) is thrown as the SDK raised it: the
 * caller refuses to start. The calls run in parallel; the first failure in the order tables,
 * streams, key is thrown. Returns the live ARNs by setting, the key's as `KEY_ARN`.
 *
 * @example await verifyLiveResidency({ dataRegion, keyArn, tables: { VAULT_TABLE: { name: 'vault' } }, streams: {} }, clients)
 */
export async function verifyLiveResidency(
  resources: LiveResources,
  clients: Pick<AwsClients, 'region' | 'dynamodb' | 'kinesis' | 'kms'>,
): Promise<Readonly<Record<string, string>>> {
  assertRegion(clients.region, resources.dataRegion, 'the AWS clients');
  const checks: Array<Promise<void>> = [];
  const reported: Record<string, string> = {};
  for (const [setting, table] of Object.entries(resources.tables)) {
    checks.push(
      clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name })).then((out) => {
        const arn = out.Table?.TableArn;
        if (!arn) throw new ConfigurationError(`${setting}: DescribeTable returned no TableArn`, setting);
        assertArnInRegion(arn, resources.dataRegion, `${setting} table`);
        reported[setting] = arn;
      }),
    );
  }
  for (const [setting, stream] of Object.entries(resources.streams)) {
    checks.push(
      clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name })).then((out) => {
        const arn = out.StreamDescriptionSummary?.StreamARN;
        if (!arn)
          throw new ConfigurationError(`${setting}: DescribeStreamSummary returned no StreamARN`, setting);
        assertArnInRegion(arn, resources.dataRegion, `${setting} stream`);
        reported[setting] = arn;
      }),
    );
  }
  checks.push(
    clients.kms.send(new DescribeKeyCommand({ KeyId: resources.keyArn })).then((out) => {
      const arn = out.KeyMetadata?.Arn;
      if (!arn) throw new ConfigurationError('KEY_ARN: DescribeKey returned no Arn', 'KEY_ARN');
      assertArnInRegion(arn, resources.dataRegion, 'KMS key');
      // The static check refuses `mrk-` ids; the key's own metadata is the authority.
      if (out.KeyMetadata?.MultiRegion === true) throw multiRegionKeyError('KEY_ARN');
      reported.KEY_ARN = arn;
    }),
  );
  const results = await Promise.allSettled(checks);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const live = { KEY_ARN: reported.KEY_ARN, ...reported };
  assertOneAccount(live);
  return live as Record<string, string>;
}
