import { DescribeStreamSummaryCommand, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { parseArn } from '@residency/aws';
import { DrainTimeoutError, EventSourceMappingStartError } from '../errors.ts';
import { createCounters, type EventSourceMappingStats } from './mapping-stats.ts';
import { createNotifier } from './notifier.ts';
import { type EventSourceMappingOptions, resolveMappingOptions } from './options.ts';
import { type ShardWorker, type ShardWorkerContext, startShardWorker } from './shard-worker.ts';

/** A running (or startable) Kinesis event source mapping. */
export interface EventSourceMapping {
  /** Describes the stream, lists its shards and starts polling; resolves once every shard has an iterator. */
  start(): Promise<void>;
  /** Stops polling, lets running invocations finish, and writes the last checkpoints. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves when every shard has been polled, after this call, without finding anything new, and
   * no batch is queued, running or waiting for a retry: the mapping is caught up and idle. With
   * `maximumRetryAttempts: -1` and a batch that always fails this never happens: pass a timeout.
   */
  drain(options?: { timeoutMillis?: number }): Promise<void>;
  /** Counters and per-shard positions. */
  stats(): EventSourceMappingStats;
}

const DRAIN_CHECK_MILLIS = 5;

/**
 * Lambda's Kinesis event source mapping, in process: polls every shard of `streamName` and invokes
 * `handler` with real Kinesis events, reproducing batching (`batchSize`, batching window, 6 MB cap),
 * `ParallelizationFactor`, `ReportBatchItemFailures`, `BisectBatchOnFunctionError`,
 * `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`, the on-failure destination and checkpoints.
 * Closed parent shards are finished before their children start. See the package README for the
 * deliberate differences from AWS.
 *
 * @example
 * const mapping = createEventSourceMapping({
 *   kinesis: clients.kinesis,
 *   streamName: 'residency-events',
 *   handler: ingest,
 *   startingPosition: 'TRIM_HORIZON',
 *   functionResponseTypes: ['ReportBatchItemFailures'],
 *   maximumRetryAttempts: 3,
 *   onFailure: createFileFailureDestination({ path: join(dataDir, 'on-failure', 'ingest.jsonl') }),
 *   checkpointStore: createFileCheckpointStore({ directory: join(dataDir, 'checkpoints') }),
 * });
 * await mapping.start();
 */
export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const resolved = resolveMappingOptions(options);
  const counters = createCounters();
  const workers = new Map<string, ShardWorker>();
  const stopNotifier = createNotifier();
  const discoveryNotifier = createNotifier();
  let knownShards: Shard[] = [];
  let context: ShardWorkerContext | undefined;
  let started = false;
  let stopping = false;
  let discoveryLoop: Promise<void> | undefined;
  let discoveryChain: Promise<void> = Promise.resolve();
  let pollEpoch = 0;

  const listShards = async (): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const output = await resolved.kinesis.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: resolved.streamName }),
      );
      shards.push(...(output.Shards ?? []));
      nextToken = output.NextToken;
    } while (nextToken);
    return shards;
  };

  // A child shard starts only when the parents that still exist are finished, so records of a
  // partition key stay in order across a reshard; it then reads from its beginning.
  const startEligible = () => {
    if (!context || stopping) return;
    const listed = new Set(knownShards.map((shard) => shard.ShardId));
    for (const shard of knownShards) {
      const shardId = shard.ShardId;
      if (!shardId || workers.has(shardId)) continue;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
        (id): id is string => id !== undefined && listed.has(id),
      );
      if (!parents.every((id) => workers.get(id)?.ended)) continue;
      const worker = startShardWorker(
        shardId,
        parents.length > 0 ? 'TRIM_HORIZON' : resolved.startingPosition,
        context,
      );
      workers.set(shardId, worker);
      void worker.done.then(() => {
        if (worker.ended) startEligible();
      });
    }
  };

  const discover = () => {
    discoveryChain = discoveryChain.then(async () => {
      knownShards = await listShards();
      startEligible();
    });
    return discoveryChain;
  };

  const pendingShards = () =>
    knownShards.filter((shard) => shard.ShardId && !workers.has(shard.ShardId)).length;

  return {
    async start() {
      if (started) return;
      started = true;
      try {
        const summary = await resolved.kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: resolved.streamName }),
        );
        const streamArn = summary.StreamDescriptionSummary?.StreamARN;
        if (!streamArn) throw new Error('DescribeStreamSummary returned no StreamARN');
        const { region, accountId, partition } = parseArn(streamArn);
        context = {
          options: resolved,
          identity: {
            region,
            streamArn,
            roleArn: `arn:${partition}:iam::${accountId}:role/${resolved.functionName}-role`,
          },
          functionArn: `arn:${partition}:lambda:${region}:${accountId}:function:${resolved.functionName}`,
          counters,
          isStopping: () => stopping,
          pollEpoch: () => pollEpoch,
          sleep: (millis) => (stopping ? Promise.resolve() : stopNotifier.wait(millis)),
        };
        await discover();
      } catch (cause) {
        stopping = true;
        throw new EventSourceMappingStartError(resolved.streamName, { cause });
      }
      await Promise.all([...workers.values()].map((worker) => worker.ready));
      discoveryLoop = (async () => {
        while (!stopping) {
          await discoveryNotifier.wait(resolved.shardDiscoveryIntervalMillis);
          if (stopping) break;
          await discover().catch((error: unknown) =>
            resolved.logger.warn('ListShards failed; will retry', { streamName: resolved.streamName, error }),
          );
        }
      })();
    },

    async stop() {
      stopping = true;
      stopNotifier.notify();
      discoveryNotifier.notify();
      for (const worker of workers.values()) worker.wake();
      await discoveryLoop;
      await discoveryChain.catch(() => undefined);
      await Promise.all([...workers.values()].map((worker) => worker.done));
    },

    async drain(drainOptions = {}) {
      if (!started || stopping) return;
      // Only polls that start after this call count: one already in flight may predate the caller's writes.
      pollEpoch += 1;
      const since = pollEpoch;
      const deadline =
        drainOptions.timeoutMillis === undefined ? undefined : Date.now() + drainOptions.timeoutMillis;
      await discover();
      for (const worker of workers.values()) worker.wake();
      for (;;) {
        if (stopping) return;
        const workersNow = [...workers.values()];
        if (pendingShards() === 0 && workersNow.every((worker) => worker.isCaughtUpSince(since))) return;
        if (deadline !== undefined && Date.now() >= deadline) {
          throw new DrainTimeoutError(drainOptions.timeoutMillis ?? 0);
        }
        await new Promise((resolve) => setTimeout(resolve, DRAIN_CHECK_MILLIS));
      }
    },

    stats() {
      return {
        ...counters,
        shards: [...workers.values()]
          .map((worker) => worker.stats())
          .sort((a, b) => (a.shardId < b.shardId ? -1 : 1)),
      };
    },
  };
}
