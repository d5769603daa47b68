import { Token } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Stack } from 'sst/constructs/Stack.js';
import { assertProducerRolesInAccount, type StageConfig } from './config.ts';
import { eventsStreamName } from './data-storage.ts';

/** What a producer calls: `@residency/producer` sends PutRecords only; PutRecord is its one-record twin. */
export const PRODUCER_STREAM_ACTIONS = ['kinesis:PutRecord', 'kinesis:PutRecords'];

/**
 * Lets the stage's producer roles (`RESIDENCY_PRODUCER_ROLES`) write to the events stream, and
 * nothing else. Kinesis asks KMS for a data key with the caller's credentials on PutRecord(s), and
 * the key policy is the only way to let anyone use the key (the account root may not delegate use
 * to IAM), so two statements:
 * - the key policy: `kms:GenerateDataKey` only, only through Kinesis in this region, only for the
 *   events stream (Kinesis passes the stream ARN as encryption context, `aws:kinesis:arn`);
 * - the events stream's resource policy: PutRecord and PutRecords on it.
 * Within one account either grant is enough, so the apps' roles need no policy of their own (unless
 * a permissions boundary or an SCP withholds these actions). Without producer roles, nothing is added
 * and nobody can write to the events stream.
 * See https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
 *
 * @example allowProducers(stack, config, key, data.events)
 */
export function allowProducers(stack: Stack, config: StageConfig, key: Key, events: Stream): void {
  assertProducerRolesInAccount(config, Token.isUnresolved(stack.account) ? undefined : stack.account);
  if (config.producerRoleArns.length === 0) return;
  const principals = config.producerRoleArns.map((arn) => new ArnPrincipal(arn));
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'ProducersWriteTheEventsStream',
      principals,
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': `kinesis.${stack.region}.amazonaws.com`,
          // Built from the name: a reference to the stream, which is encrypted with this key, would be
          // a circular dependency.
          'kms:EncryptionContext:aws:kinesis:arn': stack.formatArn({
            service: 'kinesis',
            resource: 'stream',
            resourceName: eventsStreamName(stack.stage),
          }),
        },
      },
    }),
  );
  events.addToResourcePolicy(
    new PolicyStatement({
      sid: 'ProducersWriteTheEventsStream',
      principals,
      actions: PRODUCER_STREAM_ACTIONS,
      resources: [events.streamArn],
    }),
  );
}
