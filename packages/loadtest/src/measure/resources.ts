/** CPU and memory a stretch of work used in this process. */
export interface ResourceUsage {
  /** Wall-clock time, milliseconds. */
  wallMillis: number;
  /** User + system CPU time of this process (all its threads), microseconds. */
  cpuMicros: number;
  /** Highest resident set size sampled, bytes. */
  peakRssBytes: number;
}

/** A running measurement; {@link ResourceMeter.sample} lets tight loops record memory between timer ticks. */
export interface ResourceMeter {
  /** Samples the RSS now (cheap: `process.memoryUsage.rss()`). */
  sample(): void;
  /** Stops sampling and returns the usage since the meter started. */
  stop(): ResourceUsage;
}

/** Options of {@link startResourceMeter}. */
export interface ResourceMeterOptions {
  /** How often a timer samples RSS. Default: 25 ms. */
  sampleIntervalMillis?: number;
}

/**
 * Starts measuring CPU (`process.cpuUsage()`) and peak RSS (sampled by a timer and by explicit
 * `sample()` calls, since a synchronous loop starves the timer).
 *
 * @example const meter = startResourceMeter(); await work(); const { cpuMicros } = meter.stop();
 */
export function startResourceMeter(options: ResourceMeterOptions = {}): ResourceMeter {
  const startCpu = process.cpuUsage();
  const startWall = performance.now();
  let peakRssBytes = process.memoryUsage.rss();
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRssBytes) peakRssBytes = rss;
  };
  const timer = setInterval(sample, options.sampleIntervalMillis ?? 25);
  timer.unref();
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      const cpu = process.cpuUsage(startCpu);
      return {
        wallMillis: performance.now() - startWall,
        cpuMicros: cpu.user + cpu.system,
        peakRssBytes,
      };
    },
  };
}
