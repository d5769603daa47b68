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
 * Sound only while the handler awaits one port at a time, which the pipeline's ingest does (its
 * phases run in order): calls of one port that overlap are timed as one span, but a port called
 * while another is pending would be counted in both. The vault's two calls of a batch (tokens and
 * record ids, begun together) are one port. The one exception is the aggregates' read-ahead
 * (`prepare`), which returns at once: the work of its read runs alongside the vault and outbox
 * calls and is counted where it runs. A call begun before a reset is left out of the new pass.
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
  // Calls of a port that overlap (the vault's tokenize and record ids, begun together) are timed
  // as one span, from the first start to the last settle, so their CPU is not counted twice.
  let open = new Map<string, { pending: number; cpu: NodeJS.CpuUsage; startedAt: number }>();
  const begin = (name: string) => {
    const span = open.get(name);
    if (span) span.pending += 1;
    else open.set(name, { pending: 1, cpu: process.cpuUsage(), startedAt: performance.now() });
    const time = times.get(name) ?? { calls: 0, cpuMicros: 0, wallMillis: 0 };
    time.calls += 1;
    times.set(name, time);
  };
  const end = (name: string, generation: Map<string, unknown>) => {
    const span = open.get(name);
    if (!span || generation !== open) return; // begun before a reset
    span.pending -= 1;
    if (span.pending > 0) return;
    open.delete(name);
    const used = process.cpuUsage(span.cpu);
    const time = times.get(name) as PortTime;
    time.cpuMicros += used.user + used.system;
    time.wallMillis += performance.now() - span.startedAt;
  };
  return {
    wrap(name, port) {
      return new Proxy(port, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const generation = open;
            begin(name);
            try {
              return await value.apply(target, args);
            } finally {
              end(name, generation);
            }
          };
        },
      });
    },
    reset() {
      times = new Map();
      open = new Map();
    },
    snapshot() {
      return Object.fromEntries([...times].map(([name, time]) => [name, { ...time }]));
    },
  };
}
