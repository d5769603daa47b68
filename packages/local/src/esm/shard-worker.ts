import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
} from '@aws-sdk/client-kinesis';
import { createCoalescingWriter } from '../fs/coalescing-writer.ts';
import type { BatchRunnerContext } from './batch-runner.ts';
import type { MappingCounters, ShardStats } from './mapping-stats.ts';
import { createNotifier } from './notifier.ts';
import type { ResolvedMappingOptions } from './options.ts';
import { partitionSlot } from './partition-slot.ts';
import { createShardProgress, type ShardProgress } from './shard-progress.ts';
import { type SlotWorker, startSlotWorker } from './slot-worker.ts';
import { type BufferedRecord, type EventSourceIdentity, toBufferedRecord } from './stream-record.ts';

/** What every shard of a mapping shares. */
export interface ShardWorkerContext {
  options: ResolvedMappingOptions;
  identity: EventSourceIdentity;
  functionArn: string;
  counters: MappingCounters;
  isStopping(): boolean;
  /** A counter `drain()` bumps; a poll remembers the value it started under. */
  pollEpoch(): number;
  /** Sleeps, waking early only on stop (retry backoffs). */
  sleep(millis: number): Promise<void>;
}

/** The reader of one shard and its concurrent batch lanes. */
export interface ShardWorker {
  readonly shardId: string;
  /** Resolves once the shard iterator is acquired (or the shard was already finished). */
  readonly ready: Promise<void>;
  /** Resolves when the worker stopped, or the closed shard is fully finished. Never rejects. */
  readonly done: Promise<void>;
  /** Cuts an idle poll short (drain, stop). */
  wake(): void;
  /** True when the shard is finished, or a poll started in `epoch` or later found nothing new and all work is done. */
  isCaughtUpSince(epoch: number): boolean;
  readonly ended: boolean;
  stats(): ShardStats;
}

/** Largest GetRecords page (the Kinesis limit). */
const GET_RECORDS_LIMIT = 10_000;

/**
 * Starts reading a shard: GetShardIterator from the checkpoint (AFTER_SEQUENCE_NUMBER) or the
 * starting position, then GetRecords in a loop, backing off `idlePollMillis` when a poll returns
 * nothing. Records go to lane `hash(partitionKey) % parallelizationFactor`. Read-ahead is bounded
 * so a slow handler does not buffer the whole shard in memory.
 */
export function startShardWorker(
  shardId: string,
  startingPosition: 'TRIM_HORIZON' | 'LATEST',
  context: ShardWorkerContext,
): ShardWorker {
  const { options } = context;
  const pollNotifier = createNotifier();
  const progressNotifier = createNotifier();
  const maxUnfinished = Math.min(
    Math.max(options.batchSize * options.parallelizationFactor * 2, 500),
    20_000,
  );
  let progress: ShardProgress | undefined;
  let slots: SlotWorker[] = [];
  let ready = false;
  let ended = false;
  let lastEmptyPollEpoch = Number.NEGATIVE_INFINITY;
  let inFlightBatches = 0;
  let pendingCheckpointWrites = 0;
  let lastReadSequence: string | undefined;
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const store = options.checkpointStore;
  const checkpointWriter = createCoalescingWriter(async () => {
    const sequenceNumber = progress?.checkpoint;
    if (store && sequenceNumber) await store.put(options.mappingId, shardId, { sequenceNumber });
  });

  const persistCheckpoint = async () => {
    pendingCheckpointWrites += 1;
    try {
      await checkpointWriter.request();
    } catch (error) {
      options.logger.warn('checkpoint write failed; the next one will catch up', { shardId, error });
    } finally {
      pendingCheckpointWrites -= 1;
    }
  };

  const batchContext: BatchRunnerContext = {
    options,
    functionArn: context.functionArn,
    streamArn: context.identity.streamArn,
    shardId,
    counters: context.counters,
    isStopping: context.isStopping,
    sleep: context.sleep,
    async finish(records: readonly BufferedRecord[]) {
      const advanced = progress?.finish(records.map((record) => record.position));
      progressNotifier.notify();
      if (advanced) await persistCheckpoint();
    },
    onInvocation(delta) {
      inFlightBatches += delta;
    },
  };

  const retrying = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
    for (let attempt = 1; !context.isStopping(); attempt += 1) {
      try {
        return await action();
      } catch (error) {
        if (context.isStopping()) return undefined;
        options.logger.warn(`${what} failed; retrying`, { shardId, attempt, error });
        await pollNotifier.wait(Math.max(options.idlePollMillis, 50));
      }
    }
    return undefined;
  };

  const acquireIterator = () =>
    retrying('GetShardIterator', async () => {
      const output = await options.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: options.streamName,
          ShardId: shardId,
          ...(lastReadSequence
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: lastReadSequence }
            : { ShardIteratorType: startingPosition }),
        }),
      );
      if (!output.ShardIterator) throw new Error('GetShardIterator returned no iterator');
      return output.ShardIterator;
    });

  const main = async () => {
    const stored = await retrying('reading the checkpoint', async () =>
      store ? ((await store.get(options.mappingId, shardId)) ?? {}) : {},
    );
    if (!stored) return;
    if (stored.shardEnded) {
      ended = true;
      return;
    }
    progress = createShardProgress(stored.sequenceNumber);
    lastReadSequence = stored.sequenceNumber;
    let iterator = await acquireIterator();
    if (!iterator) return;
    ready = true;
    resolveReady();
    slots = Array.from({ length: options.parallelizationFactor }, () => startSlotWorker(batchContext));
    let closed = false;
    while (!context.isStopping()) {
      if (progress.unfinished >= maxUnfinished) {
        await progressNotifier.wait(options.idlePollMillis);
        continue;
      }
      const startedEpoch = context.pollEpoch();
      let output: GetRecordsCommandOutput;
      try {
        output = await options.kinesis.send(
          new GetRecordsCommand({
            ShardIterator: iterator,
            Limit: Math.min(GET_RECORDS_LIMIT, maxUnfinished - progress.unfinished),
          }),
        );
      } catch (error) {
        if (context.isStopping()) break;
        if ((error as { name?: string }).name !== 'ExpiredIteratorException') {
          options.logger.warn('GetRecords failed; getting a new iterator', { shardId, error });
          await pollNotifier.wait(Math.max(options.idlePollMillis, 50));
        }
        const fresh = await acquireIterator();
        if (!fresh) break;
        iterator = fresh;
        continue;
      }
      const records = output.Records ?? [];
      for (const record of records) {
        const sequenceNumber = record.SequenceNumber ?? '';
        const buffered = toBufferedRecord(record, shardId, progress.add(sequenceNumber), context.identity);
        lastReadSequence = sequenceNumber;
        slots[partitionSlot(buffered.partitionKey, slots.length)]?.push(buffered);
      }
      if (records.length === 0) lastEmptyPollEpoch = startedEpoch;
      if (!output.NextShardIterator) {
        closed = true;
        break;
      }
      iterator = output.NextShardIterator;
      if (records.length === 0) await pollNotifier.wait(options.idlePollMillis);
    }
    for (const slot of slots) {
      if (closed) slot.close();
      else slot.wake();
    }
    await Promise.all(slots.map((slot) => slot.done));
    await checkpointWriter.request().catch(() => undefined);
    if (closed && !context.isStopping() && progress.unfinished === 0) {
      // Resharding: the parent is done; its children may start (they wait for this flag).
      if (store) {
        const sequenceNumber = progress.checkpoint;
        await retrying('writing the end-of-shard checkpoint', () =>
          store.put(options.mappingId, shardId, {
            ...(sequenceNumber ? { sequenceNumber } : {}),
            shardEnded: true,
          }),
        );
      }
      ended = true;
    }
  };

  const done = main()
    .catch((error: unknown) => options.logger.warn('shard worker failed', { shardId, error }))
    .finally(() => resolveReady());

  return {
    shardId,
    ready: readyPromise,
    done,
    wake() {
      pollNotifier.notify();
      progressNotifier.notify();
      for (const slot of slots) slot.wake();
    },
    isCaughtUpSince(epoch) {
      if (ended) return true;
      return (
        ready &&
        lastEmptyPollEpoch >= epoch &&
        (progress?.unfinished ?? 0) === 0 &&
        inFlightBatches === 0 &&
        pendingCheckpointWrites === 0 &&
        slots.every((slot) => slot.isIdle())
      );
    },
    get ended() {
      return ended;
    },
    stats() {
      return {
        shardId,
        checkpoint: progress?.checkpoint,
        ended,
        unfinishedRecords: progress?.unfinished ?? 0,
        inFlightBatches,
      };
    },
  };
}
