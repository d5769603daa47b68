/** CPU and wall time spent in one port during a pass. */
export interface PortTime {
  calls: number;
  cpuMicros: number;
  wallMillis: number;
}

/**
 * Measures where a handler's time goes by timing the ports it is given (vault, outbox, quarantine,
 * aggregates): CPU and wall time from each call until its promise settles. What is left of the
 * pass is the handler's own work (decode, validate, map, observations, logs, metrics).
 *
 * Sound only while the handler awaits one port call at a time, which the pipeline's ingest does
 * (its phases run in order); a port called while another is pending would be counted twice. The
 * one exception is the aggregates' read-ahead (`prepare`), which returns at once: the work of its
 * read runs alongside the vault and outbox calls and is counted where it runs.
 *
 * @example const meter = createPortMeter(); const outbox = meter.wrap('outbox', createKinesisOutbox(...));
 */
export interface PortMeter {
  /** The port with each of its methods timed under `name`. */
  wrap<P extends object>(name: string, port: P): P;
  /** Forgets what was measured (the start of a pass). */
  reset(): void;
  /** Time per port since the last reset. */
  snapshot(): Record<string, PortTime>;
}

/** Creates a {@link PortMeter}. */
export function createPortMeter(): PortMeter {
  let times = new Map<string, PortTime>();
  const add = (name: string, cpu: NodeJS.CpuUsage, startedAt: number) => {
    const used = process.cpuUsage(cpu);
    const time = times.get(name) ?? { calls: 0, cpuMicros: 0, wallMillis: 0 };
    time.calls += 1;
    time.cpuMicros += used.user + used.system;
    time.wallMillis += performance.now() - startedAt;
    times.set(name, time);
  };
  return {
    wrap(name, port) {
      return new Proxy(port, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const cpu = process.cpuUsage();
            const startedAt = performance.now();
            try {
              return await value.apply(target, args);
            } finally {
              add(name, cpu, startedAt);
            }
          };
        },
      });
    },
    reset() {
      times = new Map();
    },
    snapshot() {
      return Object.fromEntries([...times].map(([name, time]) => [name, { ...time }]));
    },
  };
}
