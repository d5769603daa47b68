import { type BatchRunnerContext, runBatch } from './batch-runner.ts';
import { createNotifier } from './notifier.ts';
import { type BufferedRecord, takeBatchCount } from './stream-record.ts';

/**
 * One of a shard's `parallelizationFactor` concurrent batch lanes. It takes records in read order,
 * gathers a batch (up to `batchSize`, the 6 MB payload cap, or the batching window, whichever
 * comes first) and runs it to its end before taking the next, so records of a lane, and hence of a
 * partition key, are handled strictly in order.
 */
export interface SlotWorker {
  push(record: BufferedRecord): void;
  /** No more records will come (the shard is closed): flush without waiting for the window. */
  close(): void;
  /** Wakes the worker (on stop). */
  wake(): void;
  /** Nothing queued and no batch running. */
  isIdle(): boolean;
  /** Resolves when the worker has stopped, or ran dry after `close()`. */
  readonly done: Promise<void>;
}

/** Creates and starts a {@link SlotWorker}. */
export function startSlotWorker(context: BatchRunnerContext): SlotWorker {
  const { batchSize, maxPayloadBytes, maximumBatchingWindowMillis } = context.options;
  const notifier = createNotifier();
  let queue: BufferedRecord[] = [];
  let windowStartedAt: number | undefined;
  let running = false;
  let closed = false;

  const isFull = () =>
    queue.length >= batchSize || takeBatchCount(queue, batchSize, maxPayloadBytes) < queue.length;

  const loop = async () => {
    while (!context.isStopping()) {
      if (queue.length === 0) {
        if (closed) return;
        await notifier.wait();
        continue;
      }
      if (maximumBatchingWindowMillis > 0 && !isFull() && !closed) {
        const deadline = (windowStartedAt ?? Date.now()) + maximumBatchingWindowMillis;
        const remaining = deadline - Date.now();
        if (remaining > 0) {
          await notifier.wait(remaining);
          continue;
        }
      }
      const count = takeBatchCount(queue, batchSize, maxPayloadBytes);
      const batch = queue.slice(0, count);
      queue = queue.slice(count);
      windowStartedAt = queue.length > 0 ? Date.now() : undefined;
      running = true;
      try {
        await runBatch(batch, context);
      } finally {
        running = false;
      }
    }
  };

  const done = loop();
  return {
    push(record) {
      if (queue.length === 0) windowStartedAt = Date.now();
      queue.push(record);
      notifier.notify();
    },
    close() {
      closed = true;
      notifier.notify();
    },
    wake: () => notifier.notify(),
    isIdle: () => queue.length === 0 && !running,
    done,
  };
}
