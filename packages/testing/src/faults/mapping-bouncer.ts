import {
  type CheckpointStore,
  createEventSourceMapping,
  createMappingCounters,
  DrainTimeoutError,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type EventSourceMappingStats,
} from '@residency/local';
import type { Bounceable } from './bounceable.ts';

/** Options of {@link createBounceableMapping}: those of the mapping, with a checkpoint store that outlives it. */
export interface BounceableMappingOptions extends EventSourceMappingOptions {
  /** Shared by every incarnation of the poller (a file store to survive the process too). */
  checkpointStore: CheckpointStore;
}

/** An event source mapping that can be restarted cleanly or crashed mid-batch. */
export interface BounceableMapping extends Bounceable {
  /** Crashes so far. */
  readonly crashes: number;
  /**
   * A `kill -9` of the poller: from this moment nothing it finishes is checkpointed (invocations
   * in flight still run their side effects, their progress is lost), then a new poller starts
   * from the last checkpoint and redelivers. Resolves once the new one runs.
   */
  crash(): Promise<void>;
  /**
   * Crashes at the start of the `n`-th invocation from now (1 = the next one): that batch runs
   * to completion but is never acknowledged. Resolves when the new poller runs.
   */
  crashOnInvocation(n: number): Promise<void>;
  /** Waits until the current poller is caught up and idle; waits again if it crashed meanwhile. */
  drain(options?: { timeoutMillis?: number }): Promise<void>;
  /** Counters summed over every incarnation; shards of the current one. */
  stats(): EventSourceMappingStats;
}

const START_ATTEMPTS = 20;
const START_RETRY_MILLIS = 100;
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

interface Incarnation {
  mapping: EventSourceMapping;
  fence: { lost: boolean };
}

/**
 * Lambda's event source mapping (`createEventSourceMapping` of `@residency/local`) as a component
 * that can be bounced. `restart()` is a clean stop (checkpoints written) and start; `crash()` loses
 * everything after the crash point, the way a killed poller or a Lambda sandbox that died before
 * answering does: the records are delivered again, and the handler must make that harmless.
 *
 * @example
 * const ingest = createBounceableMapping({ ...mappingOptions, checkpointStore: createMemoryCheckpointStore() });
 * await ingest.start();
 * await ingest.crashOnInvocation(5);
 * await ingest.drain({ timeoutMillis: 120_000 });
 */
export function createBounceableMapping(options: BounceableMappingOptions): BounceableMapping {
  let current: Incarnation | undefined;
  let generation = 0;
  let restarts = 0;
  let crashes = 0;
  let invocations = 0;
  let crashAt: { invocation: number; done: (error?: unknown) => void } | undefined;
  const finished: EventSourceMappingStats[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step, step);
    chain = next.catch(() => undefined);
    return next;
  };

  const launch = async () => {
    if (current) return;
    // Under faults the first calls (DescribeStreamSummary, ListShards) may fail past the SDK's own
    // retries; a real poller keeps trying, so does this one.
    for (let attempt = 1; ; attempt++) {
      const incarnation = incarnate();
      current = incarnation;
      try {
        await incarnation.mapping.start();
        generation += 1;
        return;
      } catch (error) {
        current = undefined;
        await incarnation.mapping.stop().catch(() => undefined);
        if (attempt >= START_ATTEMPTS) throw error;
        await sleep(START_RETRY_MILLIS * attempt);
      }
    }
  };

  const incarnate = (): Incarnation => {
    const fence = { lost: false };
    const store: CheckpointStore = {
      get: (mappingId, shardId) => options.checkpointStore.get(mappingId, shardId),
      put: async (mappingId, shardId, checkpoint) => {
        if (!fence.lost) await options.checkpointStore.put(mappingId, shardId, checkpoint);
      },
    };
    const incarnation: Incarnation = {
      fence,
      mapping: createEventSourceMapping({
        ...options,
        checkpointStore: store,
        handler: (event, context, callback) => {
          invocations += 1;
          if (crashAt && invocations >= crashAt.invocation && !fence.lost) {
            // The crash point: this invocation's progress, and everything after it, is lost.
            fence.lost = true;
            const pending = crashAt;
            crashAt = undefined;
            setImmediate(() => {
              replace(incarnation).then(() => pending.done(), pending.done);
            });
          }
          return options.handler(event, context, callback);
        },
      }),
    };
    return incarnation;
  };

  const retire = async (incarnation: Incarnation) => {
    if (current === incarnation) current = undefined;
    await incarnation.mapping.stop();
    finished.push(incarnation.mapping.stats());
  };

  const replace = (incarnation: Incarnation) =>
    serial(async () => {
      incarnation.fence.lost = true;
      await retire(incarnation);
      crashes += 1;
      await launch();
    });

  return {
    name: options.functionName ?? 'local-function',
    get running() {
      return current !== undefined;
    },
    get restarts() {
      return restarts;
    },
    get crashes() {
      return crashes;
    },
    start: () => serial(launch),
    stop: () =>
      serial(async () => {
        if (current) await retire(current);
      }),
    restart: (restartOptions = {}) =>
      serial(async () => {
        if (current) await retire(current);
        if (restartOptions.downMillis) await sleep(restartOptions.downMillis);
        await launch();
        restarts += 1;
      }),
    crash: async () => {
      const incarnation = current;
      if (incarnation) await replace(incarnation);
    },
    crashOnInvocation: (n) =>
      new Promise<void>((resolve, reject) => {
        crashAt = { invocation: invocations + n, done: (error) => (error ? reject(error) : resolve()) };
      }),
    async drain(drainOptions = {}) {
      const deadline =
        drainOptions.timeoutMillis === undefined ? undefined : Date.now() + drainOptions.timeoutMillis;
      for (;;) {
        await chain;
        const seen = generation;
        const incarnation = current;
        if (!incarnation) return;
        const left = deadline === undefined ? {} : { timeoutMillis: Math.max(1, deadline - Date.now()) };
        try {
          await incarnation.mapping.drain(left);
        } catch (error) {
          // A ListShards that failed under faults is worth another try; running out of time is not.
          if (error instanceof DrainTimeoutError || (deadline !== undefined && Date.now() >= deadline))
            throw error;
          await sleep(START_RETRY_MILLIS);
          continue;
        }
        await chain;
        if (seen === generation && current === incarnation) return;
      }
    },
    stats() {
      const all = [...finished, ...(current ? [current.mapping.stats()] : [])];
      const total = emptyMappingStats();
      for (const stats of all) {
        for (const key of Object.keys(total) as Array<keyof typeof total>) {
          if (key !== 'shards') (total[key] as number) += stats[key] as number;
        }
      }
      total.shards = current?.mapping.stats().shards ?? [];
      return total;
    },
  };
}

function emptyMappingStats(): EventSourceMappingStats {
  return { ...createMappingCounters(), shards: [] };
}
