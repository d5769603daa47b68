/**
 * A wake-up signal for loops that sleep: `wait()` resolves on the next `notify()`, or after
 * `timeoutMillis` when given. Used so that `stop()` and `drain()` never wait out an idle poll.
 */
export interface Notifier {
  notify(): void;
  wait(timeoutMillis?: number): Promise<void>;
}

/** Creates a {@link Notifier}. */
export function createNotifier(): Notifier {
  const waiters = new Set<() => void>();
  return {
    notify() {
      const pending = [...waiters];
      waiters.clear();
      for (const wake of pending) wake();
    },
    wait(timeoutMillis) {
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const wake = () => {
          if (timer) clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        if (timeoutMillis !== undefined) timer = setTimeout(wake, Math.max(0, timeoutMillis));
        waiters.add(wake);
      });
    },
  };
}
