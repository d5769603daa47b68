import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Function as SstFunction } from 'sst/constructs/Function.js';
import type { StackContext } from 'sst/constructs/FunctionalStack.js';
import type { StageConfig } from './lib/config.ts';
import { createDataAlarms } from './lib/data-alarms.ts';
import { allowKeyUse, createDataKey } from './lib/data-key.ts';
import { createDataStorage, failureQueue } from './lib/data-storage.ts';
import { residencyFunction, retainCustomResourceHandlerLogs } from './lib/function.ts';
import { grantDescribe, grantTable } from './lib/grants.ts';
import { handlers } from './lib/handlers.ts';
import { allowProducers } from './lib/producers.ts';
import { useStageConfig } from './lib/stage.ts';

/**
 * The data plane, deployed to the data region: the key, the streams and tables holding personal or
 * pseudonymized data, and the four functions that touch them, each with only its own permissions.
 * Nothing here has a route out of the region except the forwarder, towards one allowlisted origin.
 */
export function DataPlane({ stack, app }: StackContext) {
  const config = useStageConfig(app, 'data');
  const key = createDataKey(stack, config);
  const data = createDataStorage(stack, config, key, stack.stage);
  allowProducers(stack, config, key, data.events);
  const base = { DATA_REGION: config.dataRegion, KEY_ARN: key.keyArn };

  // Each function gets the names it reads (it fails closed without them) and nothing else.
  const ingest = residencyFunction(stack, 'Ingest', config, {
    handler: handlers.ingest,
    environment: {
      ...base,
      EVENTS_STREAM_NAME: data.events.streamName,
      OUTBOX_STREAM_NAME: data.outbox.streamName,
      VAULT_TABLE: data.vault.tableName,
      AUDIT_TABLE: data.audit.tableName,
      AGGREGATES_TABLE: data.aggregates.tableName,
      QUARANTINE_TABLE: data.quarantine.tableName,
      AGGREGATE_RECENT_EVENTS: String(config.aggregateRecentEvents),
      AGGREGATE_RETENTION_DAYS: String(config.aggregateRetentionDays),
      QUARANTINE_RETENTION_DAYS: String(config.quarantineRetentionDays),
    },
    timeoutSeconds: 60,
  });
  grantDescribe(ingest, {
    tables: [data.vault, data.audit, data.aggregates, data.quarantine],
    streams: [data.events, data.outbox],
  });
  // Tokenize only: entries read in batches and created by conditional puts, pointers and links
  // written in batches, the index and data keys read and created one item at a time. Links are
  // read by Query only by vault-admin (detokenize, export, erase).
  grantTable(ingest, data.vault, key, ['GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem']);
  // Window, shard and partial items are read by BatchGetItem (never one by one); partials and
  // event logs are put 25 to a BatchWriteItem, event logs read by Query when an environment takes
  // a shard over; the open index is a put; windows, claims and late counters are conditional updates.
  grantTable(ingest, data.aggregates, key, [
    'BatchGetItem',
    'Query',
    'PutItem',
    'UpdateItem',
    'BatchWriteItem',
  ]);
  // PutItem: a batch DynamoDB refuses as invalid is put item by item (`writeBatch`).
  grantTable(ingest, data.quarantine, key, ['PutItem', 'BatchWriteItem']);
  data.outbox.grantWrite(ingest);
  // Vault envelopes: data keys from GenerateDataKey, the index key unwrapped with Decrypt.
  key.grant(ingest, 'kms:GenerateDataKey', 'kms:Decrypt');
  const ingestFailures = failureQueue(stack, 'IngestFailures');
  consume(ingest, data.events, ingestFailures, config, {
    batchSize: config.ingestBatchSize,
    windowSeconds: config.ingestBatchingWindowSeconds,
  });

  const forwarder = residencyFunction(stack, 'Forwarder', config, {
    handler: handlers.forwarder,
    environment: {
      ...base,
      OUTBOX_STREAM_NAME: data.outbox.streamName,
      OUTBOX_STREAM_ARN: data.outbox.streamArn,
      QUARANTINE_TABLE: data.quarantine.tableName,
      QUARANTINE_TABLE_ARN: data.quarantine.tableArn,
      EGRESS_LOG_TABLE: data.egressLog.tableName,
      EGRESS_LOG_TABLE_ARN: data.egressLog.tableArn,
      CONTROL_PLANE_ORIGIN: config.controlPlaneOrigin,
      SIGNING_KEY_PARAMETER: config.signingKeyParameter,
      ...(config.signingKeyId === undefined ? {} : { SIGNING_KEY_ID: config.signingKeyId }),
    },
    timeoutSeconds: 60,
  });
  // The egress log: one PutItem as a batch starts and one as it ends. The quarantine: blocked
  // records in BatchWriteItem calls, item by item (PutItem) if DynamoDB refuses a call as invalid.
  // Neither is read by the forwarder (`listDay` serves tests and operators).
  grantTable(forwarder, data.egressLog, key, ['PutItem']);
  grantTable(forwarder, data.quarantine, key, ['PutItem', 'BatchWriteItem']);
  forwarder.addToRolePolicy(
    new PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: [
        stack.formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: config.signingKeyParameter.slice(1),
        }),
      ],
    }),
  );
  const forwarderFailures = failureQueue(stack, 'ForwarderFailures');
  consume(forwarder, data.outbox, forwarderFailures, config, { batchSize: 1000, windowSeconds: 1 });

  const windowCloser = residencyFunction(stack, 'WindowCloser', config, {
    handler: handlers.windowCloser,
    environment: {
      ...base,
      OUTBOX_STREAM_NAME: data.outbox.streamName,
      AGGREGATES_TABLE: data.aggregates.tableName,
    },
    timeoutSeconds: 120,
  });
  grantDescribe(windowCloser, { tables: [data.aggregates], streams: [data.outbox] });
  grantTable(windowCloser, data.aggregates, key, ['Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
  data.outbox.grantWrite(windowCloser);
  const windowCloserFailures = failureQueue(stack, 'WindowCloserFailures');
  windowCloser.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(1),
    onFailure: new SqsDestination(windowCloserFailures),
  });
  new Rule(stack, 'WindowCloserSchedule', {
    schedule: Schedule.rate(Duration.minutes(config.windowCloseMinutes)),
    targets: [new LambdaFunction(windowCloser, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
  });

  const detokenizers = config.detokenizeRoleNames.map(
    (name) => `arn:${stack.partition}:iam::${stack.account}:role/${name}`,
  );
  const vaultAdmin = residencyFunction(stack, 'VaultAdmin', config, {
    handler: handlers.vaultAdmin,
    environment: {
      ...base,
      VAULT_TABLE: data.vault.tableName,
      AUDIT_TABLE: data.audit.tableName,
      // Erasure notices leave through the outbox and the forwarder, like everything else.
      OUTBOX_STREAM_NAME: data.outbox.streamName,
      DETOKENIZE_PRINCIPALS: detokenizers.join(','),
    },
    timeoutSeconds: 300,
  });
  grantTable(vaultAdmin, data.vault, key, [
    'GetItem',
    'BatchGetItem',
    'Query',
    'Scan',
    'PutItem',
    'DeleteItem',
    'BatchWriteItem',
  ]);
  grantTable(vaultAdmin, data.audit, key, ['PutItem']);
  data.outbox.grantWrite(vaultAdmin);
  key.grant(vaultAdmin, 'kms:GenerateDataKey', 'kms:Decrypt');
  // Invoking vault-admin is the authorization; the actor named in the request is only audited.
  detokenizers.forEach((arn, index) => {
    vaultAdmin.addPermission(`Detokenizer${index}`, {
      principal: new ArnPrincipal(arn),
      action: 'lambda:InvokeFunction',
    });
  });

  allowKeyUse(
    key,
    [ingest, forwarder, windowCloser, vaultAdmin].map((fn) => fn.role!),
  );
  retainCustomResourceHandlerLogs(stack, config);
  createDataAlarms(stack, config, {
    consumers: { Ingest: ingest, Forwarder: forwarder },
    quarantine: data.quarantine,
    failureQueues: {
      Ingest: ingestFailures,
      Forwarder: forwarderFailures,
      WindowCloser: windowCloserFailures,
    },
  });

  stack.addOutputs({
    DataRegion: config.dataRegion,
    KeyArn: key.keyArn,
    EventsStreamName: data.events.streamName,
    // What apps write to: the roles of RESIDENCY_PRODUCER_ROLES may (docs/deploy.md).
    EventsStreamArn: data.events.streamArn,
    OutboxStreamName: data.outbox.streamName,
    VaultAdminFunction: vaultAdmin.functionName,
  });
  return { key, ...data };
}

/**
 * Subscribes a function to a stream with the bounds Lambda lacks by default: retries and record age
 * are finite, a failing batch is bisected, the handler reports partial failures, and what is given
 * up on lands in an in-region queue (an S3 destination would receive whole payloads).
 * See https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 */
function consume(
  fn: SstFunction,
  stream: Stream,
  failures: Queue,
  config: StageConfig,
  batching: { batchSize: number; windowSeconds: number },
): void {
  fn.addEventSource(
    new KinesisEventSource(stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: batching.batchSize,
      maxBatchingWindow: Duration.seconds(batching.windowSeconds),
      // One batch of a shard at a time: the ingest puts its aggregate partials without a condition,
      // as their shard's only writer (packages/pipeline/README.md, "One writer per shard").
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: config.maxRetryAttempts,
      maxRecordAge: Duration.seconds(config.maxRecordAgeSeconds),
      onFailure: new SqsDlq(failures),
    }),
  );
}
