import { Duration } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableClass, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type StageConfig, VAULT_TARGET_UTILIZATION_PERCENT, type VaultCapacity } from './config.ts';
import { removalPolicy } from './stage.ts';

/** The data plane's streams and tables. */
export interface DataStorage {
  readonly events: Stream;
  readonly outbox: Stream;
  readonly vault: Table;
  readonly audit: Table;
  readonly aggregates: Table;
  readonly quarantine: Table;
  readonly egressLog: Table;
}

/**
 * The events stream's name, fixed rather than generated: the key policy lets producers use the key
 * for this stream only, by its ARN, and the stream (encrypted with that key) cannot be referenced
 * from the key's policy without a circular dependency, so its ARN is built from this name.
 */
export function eventsStreamName(stage: string): string {
  return `residency-${stage}-events`;
}

/**
 * Streams encrypted with the data key, with explicit retention; tables (`pk`/`sk`, on demand but
 * for the vault when `RESIDENCY_VAULT_CAPACITY=provisioned`) encrypted with the data key, with point-in-time recovery and no replicas. `Table` and not
 * `TableV2`: the latter synthesizes `AWS::DynamoDB::GlobalTable`, which is how replicas happen.
 */
export function createDataStorage(
  scope: Construct,
  config: StageConfig,
  key: IKey,
  stage: string,
): DataStorage {
  const stream = (id: string, streamName?: string) =>
    new Stream(scope, id, {
      ...(streamName ? { streamName } : {}),
      encryption: StreamEncryption.KMS,
      encryptionKey: key,
      retentionPeriod: Duration.hours(config.streamRetentionHours),
      // One provisioned shard costs a third of an on-demand stream while idle.
      streamMode: StreamMode.PROVISIONED,
      shardCount: config.streamShardCount,
    });
  const table = (
    id: string,
    timeToLiveAttribute?: string,
    tableClass?: TableClass,
    capacity: VaultCapacity = { mode: 'on-demand' },
  ) => {
    const created = new Table(scope, id, {
      ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
      ...(tableClass ? { tableClass } : {}),
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      ...(capacity.mode === 'provisioned'
        ? {
            billingMode: BillingMode.PROVISIONED,
            readCapacity: capacity.read.min,
            writeCapacity: capacity.write.min,
          }
        : { billingMode: BillingMode.PAY_PER_REQUEST }),
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: removalPolicy(config),
    });
    if (capacity.mode === 'provisioned') {
      const targetUtilizationPercent = VAULT_TARGET_UTILIZATION_PERCENT;
      created
        .autoScaleReadCapacity({ minCapacity: capacity.read.min, maxCapacity: capacity.read.max })
        .scaleOnUtilization({ targetUtilizationPercent });
      created
        .autoScaleWriteCapacity({ minCapacity: capacity.write.min, maxCapacity: capacity.write.max })
        .scaleOnUtilization({ targetUtilizationPercent });
    }
    return created;
  };
  return {
    events: stream('Events', eventsStreamName(stage)),
    outbox: stream('Outbox'),
    vault: table(
      'Vault',
      undefined,
      config.vaultTableClass === 'standard-ia' ? TableClass.STANDARD_INFREQUENT_ACCESS : undefined,
      config.vaultCapacity,
    ),
    audit: table('Audit'),
    // The ingest stamps partials, sealed subjects and event logs with `expiresAt` (epoch seconds).
    aggregates: table('Aggregates', 'expiresAt'),
    // The ingest stamps quarantined records with `expiresAt`; the border's entries carry none.
    quarantine: table('Quarantine', 'expiresAt'),
    egressLog: table('EgressLog'),
  };
}

/**
 * An in-region queue for failed batches. Lambda writes only metadata to it (shard, sequence range,
 * error), never record payloads, so SQS-managed encryption is enough and operators can read it
 * without rights on the data key.
 * See https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export function failureQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
