import { loadavg } from 'node:os';
import { type Clock, createCountryResolver } from '@residency/core';
import { DEFAULT_WINDOW_SECONDS } from '@residency/core/aggregates';
import { awsTarget, type LoadtestTarget, startLocalTarget } from '../environment/target.ts';
import { lambdaSemiSpaceMb } from '../environment/v8-heap.ts';
import { ScenarioUnavailableError } from '../errors.ts';
import { SHARD_RECORDS_PER_SECOND } from '../pricing/cost.ts';
import { priceTableFor } from '../pricing/prices.ts';
import { silentProgress } from '../progress.ts';
import { describeMachine } from '../report/machine.ts';
import { buildReport } from '../report/report.ts';
import type { LoadtestReport, ScenarioName } from '../report/types.ts';
import { runCeiling } from '../scenarios/ceiling.ts';
import { runE2e } from '../scenarios/e2e.ts';
import { type HotpathResult, medianOf, runHotpath } from '../scenarios/hotpath.ts';
import { runNaive } from '../scenarios/naive.ts';
import type { CeilingResult, E2eResult, ThroughputResult } from '../scenarios/results.ts';
import { buildWorkload } from '../workload/workload.ts';
import { ALL_SCENARIOS, type LoadtestOptions, resolveOptions } from './options.ts';

/** Tenants of the generated workload: `kol-` clinics are in India, the rest in Bangladesh. */
const countryOf = createCountryResolver({ byPrefix: { 'kol-': 'IN', 'dhk-': 'BD' }, defaultCountry: 'BD' });

/**
 * Runs the load test: generates the workload once, runs the chosen scenarios on it (the
 * emulators, when needed, in a child process), and builds the report. A scenario that cannot run
 * (a package not there yet) or fails is listed under `skipped` with the reason; the others still
 * report.
 *
 * @example const report = await runLoadtest({ scenarios: ['ceiling'], events: 5000 });
 */
export async function runLoadtest(options: LoadtestOptions = {}): Promise<LoadtestReport> {
  const startedAt = new Date();
  const machine = describeMachine();
  const o = resolveOptions(options);
  const scenarios = new Set(options.scenarios ?? ALL_SCENARIOS);
  const progress = options.progress ?? silentProgress;
  const prices = priceTableFor(options.priceRegion ?? o.region);

  // Event time: one shard's worth of traffic (1,000 records/s, so a batch covers seconds, as on
  // AWS), starting on an aggregate window boundary, so every run touches the same windows and
  // the aggregate writes per batch do not depend on the wall clock. The handler's clock is pinned
  // just after the last event: every pass sees the windows open, however long the run takes.
  const windowMillis = DEFAULT_WINDOW_SECONDS * 1000;
  const spanMillis = Math.round((o.events * 1000) / SHARD_RECORDS_PER_SECOND);
  const startMillis = Math.floor((Date.now() - spanMillis - windowMillis) / windowMillis) * windowMillis;
  const nowMillis = startMillis + spanMillis + 1000;
  const clock: Clock = { nowMillis: () => nowMillis };
  progress.step('generating workload');
  const workload = await buildWorkload({
    events: o.events,
    seed: o.seed,
    initialPatients: o.initialPatients,
    zipfExponent: o.zipfExponent,
    endMillis: startMillis + spanMillis,
    spanMillis,
    ...(options.mix ? { mix: options.mix } : {}),
    ...(options.canaryShare ? { canaryShare: options.canaryShare } : {}),
  });
  const events = workload.events;
  progress.done();

  const skipped: LoadtestReport['skipped'] = [];
  const notes: string[] = [];
  const attempt = async <T>(scenario: ScenarioName, run: () => Promise<T>): Promise<T | null> => {
    if (!scenarios.has(scenario)) return null;
    try {
      return await run();
    } catch (error) {
      progress.done();
      const reason =
        error instanceof ScenarioUnavailableError
          ? `needs ${error.missing}`
          : `failed: ${error instanceof Error ? error.message : String(error)}`;
      skipped.push({ scenario, reason });
      return null;
    }
  };

  const measureCeiling = () =>
    runCeiling({
      events,
      countryOf,
      progress,
      ...(options.ceilingMillisPerPrimitive
        ? { minMillisPerPrimitive: options.ceilingMillisPerPrimitive }
        : {}),
    });
  // With the hot path, the ceiling is measured before each of its warm measurements: a shared
  // machine's speed drifts over a run, and a ratio of figures taken a minute apart drifts with it.
  const interleaved = scenarios.has('ceiling') && scenarios.has('hotpath');
  let ceiling: CeilingResult | null = interleaved ? null : await attempt('ceiling', measureCeiling);
  const ceilings: CeilingResult[] = [];
  let ceilingFailure: unknown;
  const beforeWarmMeasurement = async () => {
    if (ceilingFailure !== undefined) return;
    try {
      ceilings.push(await measureCeiling());
    } catch (error) {
      ceilingFailure = error;
    }
    // What the ceiling's loops left (their events, tokens, a cache of 100,000) is garbage now:
    // collected here, not in the measurement that follows. `gc` is there when node was started
    // with --expose-gc, as Lambda starts it and `residency loadtest` starts itself.
    (globalThis as { gc?: () => void }).gc?.();
  };

  let target: LoadtestTarget | undefined;
  const needsTarget = ['hotpath', 'naive'].some((s) => scenarios.has(s as ScenarioName));
  let hotpath: HotpathResult | null = null;
  let naive: { warm: ThroughputResult; cold: ThroughputResult | null } | null = null;
  let e2e: E2eResult | null = null;
  try {
    if (needsTarget) {
      progress.step(options.aws ? 'checking the AWS target' : 'starting local emulators');
      target = options.aws
        ? awsTarget({ region: o.region, ...options.aws })
        : await startLocalTarget({ region: o.region });
      progress.done();
    }
    const t = target as LoadtestTarget;
    hotpath = await attempt('hotpath', () =>
      runHotpath({
        target: t,
        events,
        batchSize: o.batchSize,
        warmRepeats: o.warmRepeats,
        warmMeasurements: o.warmMeasurements,
        recentEvents: o.recentEvents,
        measureCold: options.cold ?? true,
        outbox: options.outbox ?? 'null-http',
        handler: options.handler ?? 'pipeline',
        countryOf,
        clock,
        progress,
        ...(interleaved ? { beforeWarmMeasurement } : {}),
      }),
    );
    naive = await attempt('naive', () =>
      runNaive({
        target: t,
        events: events.slice(0, o.naiveEvents),
        batchSize: o.batchSize,
        outbox: options.outbox ?? 'null-http',
        measureCold: options.cold ?? true,
        countryOf,
        progress,
      }),
    );
  } finally {
    if (target) {
      progress.step('stopping emulators');
      await target.stop();
      progress.done();
    }
  }
  if (interleaved) {
    // The median ceiling, or one measured now when the hot path never got to its measurements.
    ceiling = await attempt('ceiling', async () => {
      if (ceilingFailure !== undefined) throw ceilingFailure;
      return ceilings.length > 0 ? medianOf(ceilings) : measureCeiling();
    });
  }
  // A stack of its own: the pipeline's plugins must not compete with the hot path's measurement.
  e2e = await attempt('e2e', () => {
    if (options.aws)
      throw new ScenarioUnavailableError('e2e', 'the local stack (it does not run against AWS)');
    return runE2e({
      region: o.region,
      plugins: options.e2ePlugins,
      events: events.slice(0, o.e2eEvents),
      countryOf,
      progress,
      ...(options.e2eRate ? { rate: options.e2eRate } : {}),
    });
  });

  const loadAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  if (Math.max(machine.loadAverage1m, loadAtEnd) > 0.7 * machine.cpus) {
    notes.push(
      `the machine was busy (1-minute load average ${machine.loadAverage1m} at the start, ${loadAtEnd} at the end, on ${machine.cpus} CPUs): throughput and latency are worse, CPU per event higher, than on an idle machine`,
    );
  }
  for (const note of ceiling?.notes ?? []) notes.push(`ceiling: ${note}`);
  const lambdaSemiSpace = lambdaSemiSpaceMb(o.lambdaMemoryMb);
  if (hotpath && machine.maxSemiSpaceMb !== lambdaSemiSpace) {
    notes.push(
      `the handler ran with ${machine.maxSemiSpaceMb === null ? "V8's default semi-space" : `a ${machine.maxSemiSpaceMb} MB semi-space`}, not the ${lambdaSemiSpace} MB Lambda's Node.js runtime gives a function of ${o.lambdaMemoryMb} MB: its garbage collection is not the deployed function's (\`residency loadtest\` starts itself again with Lambda's)`,
    );
  }
  if (workload.canaries > 0) notes.push(`${workload.canaries} canary events mixed into the workload`);
  if ((hotpath || naive) && (o.outbox === undefined || o.outbox === 'null-http')) {
    notes.push(
      'outbox: the SDK Kinesis client with a local answering HTTP handler (SDK CPU counted, no emulator)',
    );
  }
  return buildReport({
    startedAt,
    finishedAt: new Date(),
    machine,
    target: {
      mode: options.aws ? 'aws' : 'local',
      region: o.region,
      vaultTable: target?.tables.vault ?? 'residency-vault',
    },
    workload: {
      seed: o.seed,
      events: events.length,
      naiveEvents: Math.min(o.naiveEvents, events.length),
      e2eEvents: Math.min(o.e2eEvents, events.length),
      batchSize: o.batchSize,
      warmRepeats: o.warmRepeats,
      warmMeasurements: o.warmMeasurements,
      recentEvents: o.recentEvents,
      initialPatients: o.initialPatients,
      zipfExponent: o.zipfExponent,
      newPatientShare: workload.newPatientShare,
      meanRecordBytes: workload.meanRecordBytes,
      canaries: workload.canaries,
    },
    inputPutUnitsPerEvent: workload.inputPutUnitsPerEvent,
    steadyNewIdentifiersPerEvent: workload.steadyNewIdentifiersPerEvent,
    ceiling,
    hotpath,
    naive,
    e2e,
    prices,
    lambdaMemoryMb: o.lambdaMemoryMb,
    skipped,
    notes,
  });
}
