import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import { type CfnEventSourceMapping, EventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Function as SstFunction } from 'sst/constructs/Function.js';
import type { StackContext } from 'sst/constructs/FunctionalStack.js';
import { createDataAlarms } from './lib/data-alarms.ts';
import { allowKeyUse, createDataKey } from './lib/data-key.ts';
import { createDataStorage, failureQueue } from './lib/data-storage.ts';
import { residencyFunction, retainCustomResourceHandlerLogs } from './lib/function.ts';
import { grantDescribe, grantTable } from './lib/grants.ts';
import { handlers } from './lib/handlers.ts';
import { allowProducers } from './lib/producers.ts';
import { useStageConfig } from './lib/stage.ts';

/**
 * MaximumRetryAttempts and MaximumRecordAgeInSeconds that retry a failing batch until its records
 * expire from the stream. See
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
const UNTIL_RECORDS_EXPIRE = -1;

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
    memoryMegabytes: config.ingestMemoryMegabytes,
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
  // A compaction deletes older pages in BatchWriteItem calls; DeleteItem (and PutItem) because a
  // call DynamoDB refuses as invalid is sent item by item (`writeBatch`).
  grantTable(ingest, data.aggregates, key, [
    'BatchGetItem',
    'Query',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
  ]);
  // PutItem: a batch DynamoDB refuses as invalid is put item by item (`writeBatch`).
  grantTable(ingest, data.quarantine, key, ['PutItem', 'BatchWriteItem']);
  data.outbox.grantWrite(ingest);
  // Vault envelopes: data keys from GenerateDataKey, the index key unwrapped with Decrypt.
  key.grant(ingest, 'kms:GenerateDataKey', 'kms:Decrypt');
  const ingestFailures = failureQueue(stack, 'IngestFailures');
  // Finite retries and record age: a batch the ingest keeps failing (a poison record it cannot
  // quarantine) goes to the failure queue instead of stalling its shard.
  consume(ingest, data.events, ingestFailures, {
    batchSize: config.ingestBatchSize,
    windowSeconds: config.ingestBatchingWindowSeconds,
    retryAttempts: config.maxRetryAttempts,
    maxRecordAgeSeconds: config.maxRecordAgeSeconds,
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
  // Until the records expire: what the forwarder cannot deliver (the control plane down or
  // unreachable) waits in the outbox, in region, and goes out when it can. A finite bound would
  // discard pseudonymized records and erasure notices after a short outage
  // (packages/border/src/handlers/forwarder.ts). The guard quarantines what it blocks, so only
  // deliveries are retried; the iterator-age alarm shows a stalled shard.
  consume(forwarder, data.outbox, forwarderFailures, {
    batchSize: 1000,
    windowSeconds: 1,
    retryAttempts: UNTIL_RECORDS_EXPIRE,
    maxRecordAgeSeconds: UNTIL_RECORDS_EXPIRE,
  });

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
  // The cold start's live residency check, like the ingest's: DescribeKey comes with grantTable.
  grantDescribe(vaultAdmin, { tables: [data.vault, data.audit], streams: [data.outbox] });
  // No Scan: only reindex scans the vault, and reindex is not one of vault-admin's actions (an
  // operator runs it with `residency vault reindex`, under their own credentials).
  grantTable(vaultAdmin, data.vault, key, [
    'GetItem',
    'BatchGetItem',
    'Query',
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

/** How a function consumes its stream. */
interface Consumption {
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** Retries of a failing batch, or {@link UNTIL_RECORDS_EXPIRE}. */
  readonly retryAttempts: number;
  /** Age after which a record is given up on, or {@link UNTIL_RECORDS_EXPIRE}. */
  readonly maxRecordAgeSeconds: number;
}

/**
 * Subscribes a function to a stream: a failing batch is bisected, the handler reports partial
 * failures, retries and record age are set explicitly (Lambda's defaults are forever; each caller
 * says which it wants), and what is given up on lands in an in-region queue (an S3 destination
 * would receive whole payloads).
 * See https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 */
function consume(fn: SstFunction, stream: Stream, failures: Queue, consumption: Consumption): void {
  const source = new KinesisEventSource(stream, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: consumption.batchSize,
    maxBatchingWindow: Duration.seconds(consumption.windowSeconds),
    // One batch of a shard at a time: the ingest puts its aggregate partials without a condition,
    // as their shard's only writer (packages/pipeline/README.md, "One writer per shard").
    parallelizationFactor: 1,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: consumption.retryAttempts,
    // A Duration cannot be -1 (https://github.com/aws/aws-cdk/issues/27321): set below.
    ...(consumption.maxRecordAgeSeconds === UNTIL_RECORDS_EXPIRE
      ? {}
      : { maxRecordAge: Duration.seconds(consumption.maxRecordAgeSeconds) }),
    onFailure: new SqsDlq(failures),
  });
  fn.addEventSource(source);
  if (consumption.maxRecordAgeSeconds === UNTIL_RECORDS_EXPIRE) {
    const mapping = fn.node.children.find(
      (child): child is EventSourceMapping =>
        child instanceof EventSourceMapping && child.eventSourceMappingId === source.eventSourceMappingId,
    );
    if (mapping === undefined) throw new Error(`${fn.node.id}: its event source mapping was not found`);
    // Explicit rather than left out, so that updating a mapping deployed with a finite age says what
    // it becomes instead of relying on how CloudFormation treats a property removed from a template.
    (mapping.node.defaultChild as CfnEventSourceMapping).maximumRecordAgeInSeconds = UNTIL_RECORDS_EXPIRE;
  }
}
