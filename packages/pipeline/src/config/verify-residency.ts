import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  type AwsClients,
  assertArnInRegion,
  assertOneAccount,
  assertRegion,
  ConfigurationError,
} from '@residency/aws';
import type { BaseConfig } from './env.ts';

/**
 * The cold-start residency check against the live resources: the clients are pinned to the data
 * region, and every table, stream and the KMS key report ARNs in it, all in one account (tables
 * given by name carry no account in the environment; their live ARNs do, so a key of another
 * account is caught here). Runs after the static checks of `loadIngestConfig` and before the handler does any work;
 * a region mismatch is a `RegionMismatchError`, an account mismatch a `ConfigurationError`, and the
 * function refuses to start.
 */
export async function verifyResidency(config: BaseConfig, clients: AwsClients): Promise<void> {
  assertRegion(clients.region, config.dataRegion, 'the AWS clients');
  const checks: Array<Promise<void>> = [];
  const reported: Record<string, string> = {};
  for (const [setting, table] of Object.entries(config.tables)) {
    checks.push(
      clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name })).then((out) => {
        const arn = out.Table?.TableArn;
        if (!arn) throw new ConfigurationError(`${setting}: DescribeTable returned no TableArn`, setting);
        assertArnInRegion(arn, config.dataRegion, `${setting} table`);
        reported[setting] = arn;
      }),
    );
  }
  for (const [setting, stream] of Object.entries(config.streams)) {
    checks.push(
      clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name })).then((out) => {
        const arn = out.StreamDescriptionSummary?.StreamARN;
        if (!arn)
          throw new ConfigurationError(`${setting}: DescribeStreamSummary returned no StreamARN`, setting);
        assertArnInRegion(arn, config.dataRegion, `${setting} stream`);
        reported[setting] = arn;
      }),
    );
  }
  checks.push(
    clients.kms.send(new DescribeKeyCommand({ KeyId: config.keyArn })).then((out) => {
      const arn = out.KeyMetadata?.Arn;
      if (!arn) throw new ConfigurationError('KEY_ARN: DescribeKey returned no Arn', 'KEY_ARN');
      assertArnInRegion(arn, config.dataRegion, 'KMS key');
      reported.KEY_ARN = arn;
    }),
  );
  const results = await Promise.allSettled(checks);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  assertOneAccount({ KEY_ARN: reported.KEY_ARN, ...reported });
}
