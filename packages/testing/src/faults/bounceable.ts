/** Something that can be stopped and started again: an emulator, a poller, a server, a process. */
export interface Bounceable {
  readonly name: string;
  readonly running: boolean;
  /** Restarts completed so far. */
  readonly restarts: number;
  /** Starts it (no-op when running). */
  start(): Promise<void>;
  /** Stops it (no-op when stopped). */
  stop(): Promise<void>;
  /** Stops it, waits `downMillis` (default 0), starts it again. */
  restart(options?: { downMillis?: number }): Promise<void>;
}

/** What {@link bounceable} starts: anything with a `stop`. */
export interface Launched {
  stop(): Promise<void>;
}

/**
 * Wraps a start function into a {@link Bounceable}. Calls are serialized, so a restart racing a
 * stop from `afterAll` cannot leave two instances running.
 *
 * @example
 * const server = bounceable('control-plane', async () => startServer({ port }));
 * await server.start();
 * await server.restart({ downMillis: 200 });
 */
export function bounceable(name: string, launch: () => Promise<Launched>): Bounceable {
  let current: Launched | undefined;
  let restarts = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step, step);
    chain = next.catch(() => undefined);
    return next;
  };
  const start = async () => {
    if (!current) current = await launch();
  };
  const stop = async () => {
    const running = current;
    current = undefined;
    await running?.stop();
  };
  return {
    name,
    get running() {
      return current !== undefined;
    },
    get restarts() {
      return restarts;
    },
    start: () => serial(start),
    stop: () => serial(stop),
    restart: (options = {}) =>
      serial(async () => {
        await stop();
        if (options.downMillis) await new Promise((resolve) => setTimeout(resolve, options.downMillis));
        await start();
        restarts += 1;
      }),
  };
}
