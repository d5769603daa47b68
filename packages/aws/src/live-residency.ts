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
  /**
   * Tables by the setting that names them (e.g. `VAULT_TABLE`), each by the name the function's
   * calls use and, when the setting gave one, its ARN: the live table must then be that very one.
   */
  tables: Readonly<Record<string, LiveResource>>;
  /** Streams by setting (e.g. `OUTBOX_STREAM_NAME`), likewise. */
  streams: Readonly<Record<string, LiveResource>>;
}

/** A table or stream as {@link LiveResources} lists it. */
export interface LiveResource {
  /** The name the function's calls use. */
  name: string;
  /** The ARN the setting gave, if it gave one. Default: none (a name carries no account). */
  arn?: string;
}

/**
 * Precondition: a resource given by ARN is the one the function's calls reach. The calls use the
 * name after `table/` or `stream/`, which DynamoDB and Kinesis look up in the caller's account; an
 * ARN of another account, or of a stream given for a table, would otherwise be checked and then
 * silently stand for another resource.
 */
function assertSameResource(setting: string, given: LiveResource, liveArn: string): void {
  if (given.arn !== undefined && given.arn !== liveArn) {
    throw new ConfigurationError(
      `${setting} names ${given.arn}, but the resource the function's calls reach by the name '${given.name}' is ${liveArn}; refusing to run`,
      setting,
    );
  }
}

/**
 * The cold-start residency check against the live resources: the clients are pinned to the data
 * region, and every table (DescribeTable), stream (DescribeStreamSummary) and the KMS key
 * (DescribeKey) report ARNs in it, all in one account, and the key is not multi-Region; the key
 * reports exactly `keyArn`, and a table or stream given by ARN exactly that ARN. Tables and streams given by name carry no
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
        assertSameResource(setting, table, arn);
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
        assertSameResource(setting, stream, arn);
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
      // Described by its ARN, a key reports that very ARN; anything else is not the key configured.
      if (arn !== resources.keyArn) {
        throw new ConfigurationError(
          `KEY_ARN: the key reports the ARN '${arn}', not the configured one; refusing to run`,
          'KEY_ARN',
        );
      }
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
