import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { StackContext } from 'sst/constructs/FunctionalStack.js';
import { residencyFunction, retainCustomResourceHandlerLogs } from './lib/function.ts';
import { handlers } from './lib/handlers.ts';
import { removalPolicy, useStageConfig } from './lib/stage.ts';

/**
 * The control plane, in its own region: the signed-batch ingest endpoint, the tables it writes, and
 * the query API with the dashboard. It holds pseudonymized records only and has no permission of
 * any kind on data-plane resources: the only link between the planes is the forwarder's HTTPS call.
 */
export function ControlPlane({ stack, app }: StackContext) {
  const config = useStageConfig(app, 'control');
  const table = (id: string, timeToLiveAttribute?: string) =>
    new Table(stack, id, {
      ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: removalPolicy(config),
    });
  // With RESIDENCY_CONTROL_RETENTION_DAYS the ingest stamps records, their rows, released cells
  // and batch summaries with `expiresAt`; counters, tombstones and alerts are never stamped.
  const records = table('Records', 'expiresAt');
  const aggregates = table('ControlAggregates', 'expiresAt');
  const counters = table('Counters');
  const batches = table('Batches', 'expiresAt');
  const alerts = table('Alerts');
  const tables = {
    RECORDS: records,
    AGGREGATES: aggregates,
    COUNTERS: counters,
    BATCHES: batches,
    ALERTS: alerts,
  };
  const environment: Record<string, string> = {
    CONTROL_REGION: config.controlRegion,
    SIGNING_PUBLIC_KEYS: config.signingPublicKeys,
    ...(config.controlRetentionDays > 0 ? { RETENTION_DAYS: String(config.controlRetentionDays) } : {}),
  };
  for (const [name, resource] of Object.entries(tables)) {
    environment[`${name}_TABLE`] = resource.tableName;
    // With the ARN the function checks at cold start that its tables are in the control region.
    environment[`${name}_TABLE_ARN`] = resource.tableArn;
  }
  const grant = (fn: IGrantable, resource: Table, ...actions: string[]) =>
    resource.grant(fn, ...actions.map((action) => `dynamodb:${action}`));

  const ingest = residencyFunction(stack, 'ControlIngest', config, {
    handler: handlers.controlIngest,
    environment,
  });
  // What the ingest's store calls (a stacks test runs it and checks): tombstones and owners are
  // read in batches, erasure claims (UpdateItem) and deletes records and finds rows by Query.
  // Records are put and deleted in BatchWriteItem calls; PutItem and DeleteItem because a call
  // DynamoDB refuses as invalid is sent item by item (`writeBatch`, packages/aws).
  grant(ingest, records, 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query');
  grant(ingest, aggregates, 'PutItem', 'BatchWriteItem');
  grant(ingest, counters, 'UpdateItem');
  // Batch ids, for replay protection and dedupe: a claim (UpdateItem), then the stored batch.
  grant(ingest, batches, 'GetItem', 'PutItem', 'UpdateItem');
  grant(ingest, alerts, 'PutItem');
  // Anyone may call it; only batches signed with a configured key are accepted.
  const ingestUrl = ingest.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

  const query = residencyFunction(stack, 'Query', config, { handler: handlers.query, environment });
  for (const readable of Object.values(tables))
    grant(query, readable, 'GetItem', 'BatchGetItem', 'Query', 'Scan');
  const queryUrl = query.addFunctionUrl({
    authType: config.queryAuth === 'none' ? FunctionUrlAuthType.NONE : FunctionUrlAuthType.AWS_IAM,
  });

  retainCustomResourceHandlerLogs(stack, config);
  stack.addOutputs({ IngestUrl: ingestUrl.url, QueryUrl: queryUrl.url, ControlRegion: config.controlRegion });
  return tables;
}
