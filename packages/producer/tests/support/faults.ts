import {
  type KinesisClient,
  ProvisionedThroughputExceededException,
  type PutRecordsRequestEntry,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';

/** What to break, and how often. */
export interface FaultPlan {
  /** Throw ProvisionedThroughputExceededException for every n-th PutRecords call. Default: never. */
  throttleEveryNthCall?: number;
  /** Share of records failed with a per-record ErrorCode (and not written). Default: 0. */
  recordFailureRate?: number;
  /** The per-record ErrorCode to use. Default: alternates ProvisionedThroughputExceededException and InternalFailure. */
  recordErrorCode?: string;
}

/** What the middleware did. */
export interface FaultStats {
  calls: number;
  throttledCalls: number;
  failedRecords: number;
}

/**
 * Injects Kinesis faults through SDK middleware, the way the service shows them: a throttled call
 * throws before anything is written; a partially failed call writes only the records that did
 * not fail and answers with ErrorCode entries for the others, in request order.
 */
export function injectFaults(
  client: KinesisClient,
  plan: FaultPlan,
  random: () => number = Math.random,
): FaultStats {
  const stats: FaultStats = { calls: 0, throttledCalls: 0, failedRecords: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      stats.calls++;
      if (plan.throttleEveryNthCall && stats.calls % plan.throttleEveryNthCall === 0) {
        stats.throttledCalls++;
        throw new ProvisionedThroughputExceededException({
          message: 'Rate exceeded for stream (injected)',
          $metadata: { httpStatusCode: 400 },
        });
      }
      const input = args.input as { Records: PutRecordsRequestEntry[] };
      const failed = input.Records.map(() => random() < (plan.recordFailureRate ?? 0));
      const kept = input.Records.filter((_, i) => !failed[i]);
      const result =
        kept.length > 0
          ? await next({ ...args, input: { ...input, Records: kept } })
          : { response: {}, output: { Records: [], FailedRecordCount: 0, $metadata: {} } };
      const written = [...((result.output as { Records?: PutRecordsResultEntry[] }).Records ?? [])];
      let code = 0;
      const merged = failed.map((isFailed): PutRecordsResultEntry => {
        if (!isFailed) return written.shift() ?? {};
        stats.failedRecords++;
        const ErrorCode =
          plan.recordErrorCode ??
          (code++ % 2 === 0 ? 'ProvisionedThroughputExceededException' : 'InternalFailure');
        return { ErrorCode, ErrorMessage: 'injected' };
      });
      const output = result.output as { FailedRecordCount?: number };
      return {
        ...result,
        output: {
          ...result.output,
          Records: merged,
          FailedRecordCount: (output.FailedRecordCount ?? 0) + failed.filter(Boolean).length,
        },
      };
    },
    { step: 'initialize', name: 'injectKinesisFaults' },
  );
  return stats;
}
