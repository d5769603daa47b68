import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.ts';

/** What the data-plane alarms watch. */
export interface AlarmTargets {
  /** Stream consumers whose iterator age must stay low. */
  readonly consumers: Readonly<Record<string, IFunction>>;
  /** The quarantine table: any write means the egress guard blocked a record. */
  readonly quarantine: Table;
  /** Failure queues: any message means a batch was given up on. */
  readonly failureQueues: Readonly<Record<string, Queue>>;
}

/**
 * Alarms on iterator age (the pipeline is falling behind and records near their maximum age),
 * quarantine growth and failed batches. They have no actions: attach an in-region SNS topic per
 * deployment (docs/deploy.md).
 */
export function createDataAlarms(scope: Construct, config: StageConfig, targets: AlarmTargets): void {
  for (const [name, fn] of Object.entries(targets.consumers)) {
    new Alarm(scope, `${name}IteratorAgeAlarm`, {
      alarmDescription: `${name} is more than ${config.iteratorAgeAlarmSeconds}s behind its stream`,
      metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: config.iteratorAgeAlarmSeconds * 1000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
  new Alarm(scope, 'QuarantineGrowthAlarm', {
    alarmDescription: 'The egress guard quarantined records (PII scan or schema hit)',
    metric: targets.quarantine.metricConsumedWriteCapacityUnits({
      statistic: 'Sum',
      period: Duration.minutes(5),
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  for (const [name, queue] of Object.entries(targets.failureQueues)) {
    new Alarm(scope, `${name}FailuresAlarm`, {
      alarmDescription: `${name} gave up on a batch (see its failure queue)`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
