import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type AwsClients, type CallCounter, createAwsClients, createCallCounter } from '@residency/aws';
import { type BillingCounter, createBillingCounter } from '../measure/billing-counter.ts';
import { createNullKinesisClient } from '../scenarios/null-clients.ts';
import type { OutboxMode } from '../scenarios/results.ts';
import type { LoadtestTarget } from './target.ts';

/** Where the outbox records go: a local answering SDK client, or the target's outbox stream. */
export type OutboxChoice = 'null-http' | 'stream';

/** SDK clients for one design under test, with every call counted. */
export interface MeasuredClients {
  aws: AwsClients;
  /** The client the outbox writes through. */
  outbox: KinesisClient;
  outboxMode: OutboxMode;
  /** Calls by `Service.Operation`. */
  calls: CallCounter;
  /** Billable units. */
  billing: BillingCounter;
  /** Zeroes both counters (between a warm-up pass and the measured one). */
  reset(): void;
  destroy(): void;
}

/**
 * Creates the clients of one design (each design gets its own, so counts never mix), with the
 * call counter of `@residency/aws` and the billing counter attached to all of them.
 *
 * @example const clients = createMeasuredClients(target, 'null-http');
 */
export function createMeasuredClients(target: LoadtestTarget, outbox: OutboxChoice): MeasuredClients {
  const calls = createCallCounter();
  const billing = createBillingCounter();
  const aws = createAwsClients(
    { region: target.region, ...(target.endpoints ? { endpoints: target.endpoints } : {}) },
    { counter: calls },
  );
  billing.attach(aws.dynamodb);
  billing.attach(aws.kms);
  billing.attach(aws.kinesis);
  const outboxClient =
    outbox === 'null-http' ? createNullKinesisClient({ region: target.region }) : aws.kinesis;
  calls.attach(outboxClient);
  billing.attach(outboxClient);
  return {
    aws,
    outbox: outboxClient,
    outboxMode: outbox === 'null-http' ? 'null-http' : target.mode === 'aws' ? 'aws' : 'kinesalite',
    calls,
    billing,
    reset() {
      calls.reset();
      billing.reset();
    },
    destroy() {
      if (outboxClient !== aws.kinesis) outboxClient.destroy();
      aws.destroy();
    },
  };
}
