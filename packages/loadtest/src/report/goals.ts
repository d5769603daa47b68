import type { PhaseCost } from '../scenarios/results.ts';
import type { Goal, LoadtestReport } from './types.ts';

/** The goals of issue 9 (warm cache, one core for the handler, on the benchmark machine). */
export const GOAL_TARGETS = {
  /** Hot path events per second, at least. */
  hotpathEventsPerSecond: 50_000,
  /** Hot path / ceiling, at least. */
  hotpathToCeiling: 0.7,
  /** Hot path / naive throughput, at least. */
  hotpathToNaive: 10,
  /** Naive / ours API calls per million events, at least. */
  apiCallsNaiveToOurs: 20,
  /** KMS calls per event in the warm pass, at most ("no KMS call per event"). */
  kmsCallsPerEvent: 0.001,
  /** Seconds for the whole run, at most (`pnpm bench` under five minutes). */
  durationSeconds: 300,
} as const;

/** Evaluates every goal against a report and explains each miss from the measurements. */
export function explainGoals(report: LoadtestReport): Goal[] {
  const { hotpath, naive, ratios } = report;
  const t = GOAL_TARGETS;
  const kmsPerEvent = hotpath ? hotpath.kmsCallsPerMillion / 1_000_000 : null;
  return [
    atLeast(
      'hotpathEventsPerSecond',
      'hot path, warm cache, one core: events/s',
      t.hotpathEventsPerSecond,
      hotpath?.eventsPerSecond ?? null,
      () => whyHotpathSlow(report),
    ),
    atLeast(
      'hotpathToCeiling',
      'hot path / ceiling measured in the same run',
      t.hotpathToCeiling,
      ratios.hotpathToCeiling,
      () =>
        hotpath && report.ceiling
          ? `${fmt(hotpath.cpuMicrosPerEvent)} µs CPU per event against a warm ceiling of ${fmt(report.ceiling.warmMicrosPerEvent)} µs` +
            (report.ceiling.measurements
              ? ` (the ratio is the median of each warm measurement over the ceiling measured just before it: ${pairList(hotpath.measurements, report.ceiling.measurements)})`
              : '') +
            (hotpath.eventsPerSecond < t.hotpathEventsPerSecond
              ? ' (where the rest goes: see the first goal)'
              : `; ${whyHotpathSlow(report)}`)
          : 'not measured',
    ),
    atLeast(
      'hotpathToNaive',
      'hot path / naive design throughput',
      t.hotpathToNaive,
      ratios.hotpathToNaive,
      () =>
        naive && hotpath
          ? `naive ${fmt(naive.eventsPerSecond)}/s at ${fmt(naive.cpuMicrosPerEvent)} µs CPU/event, ours ${fmt(hotpath.eventsPerSecond)}/s at ${fmt(hotpath.cpuMicrosPerEvent)} µs` +
            (hotpath.eventsPerSecond < t.hotpathEventsPerSecond
              ? ' (why ours is slow: see the first goal)'
              : '')
          : 'not measured',
    ),
    atLeast(
      'apiCallsNaiveToOurs',
      'naive / ours AWS API calls per million events',
      t.apiCallsNaiveToOurs,
      ratios.apiCallsNaiveToOurs,
      () =>
        hotpath
          ? `ours made ${fmt(hotpath.apiCallsPerMillion)} calls per million events: ${top(hotpath.apiCallsPerMillionByOperation)}`
          : 'not measured',
    ),
    atMost(
      'kmsCallsPerEvent',
      'KMS calls per event in the warm hot path (no KMS call per event)',
      t.kmsCallsPerEvent,
      kmsPerEvent,
      () =>
        hotpath
          ? `${fmt(hotpath.kmsCallsPerMillion)} KMS calls per million events: ${top(filterPrefix(hotpath.apiCallsPerMillionByOperation, 'KMS.'))}`
          : 'not measured',
    ),
    atMost('durationSeconds', 'whole run, seconds', t.durationSeconds, report.durationSeconds, () => {
      const parts = [
        hotpath
          ? `hot path ${fmt((hotpath.elapsedMillis + (hotpath.cold?.elapsedMillis ?? 0)) / 1000)} s`
          : '',
        naive ? `naive ${fmt((naive.elapsedMillis + (naive.cold?.elapsedMillis ?? 0)) / 1000)} s` : '',
        report.e2e ? `e2e ${fmt(report.e2e.elapsedMillis / 1000)} s` : '',
      ].filter(Boolean);
      return `the scenarios took ${parts.join(', ')}; reduce --events or --naive-events`;
    }),
  ];
}

function whyHotpathSlow(report: LoadtestReport): string {
  const { hotpath, ceiling } = report;
  if (!hotpath) return 'the hot path did not run';
  const wall = 1_000_000 / Math.max(1, hotpath.eventsPerSecond);
  const cpu = hotpath.cpuMicrosPerEvent;
  const parts = [`the warm hot path took ${fmt(wall)} µs wall and ${fmt(cpu)} µs CPU per event`];
  const wait = hotpath.waitMicrosPerEvent;
  if (wait !== undefined && wait > 0) {
    // CPU counts every thread of the process (V8's GC helpers among them); wall is the handler's.
    parts.push(
      `of the wall, its thread waited ${fmt(wait)} µs per event for answers (the event loop idle: the ` +
        `emulators' DynamoDB calls, which run on the other core) and worked ${fmt(Math.max(0, wall - wait))} µs`,
    );
  }
  if (ceiling) {
    parts.push(
      `the warm ceiling is ${fmt(ceiling.warmMicrosPerEvent)} µs (${primitiveList(ceiling.primitives)})`,
    );
    if (ceiling.eventsPerSecond < GOAL_TARGETS.hotpathEventsPerSecond) {
      parts.push(`even the ceiling is ${fmt(ceiling.eventsPerSecond)}/s on this CPU`);
    }
    const beyond = cpu - ceiling.warmMicrosPerEvent;
    if (beyond > 0) parts.push(`${fmt(beyond)} µs CPU per event go beyond the primitives`);
    const sdk = ceiling.primitives.outboxSdk?.microsPerEvent;
    const outbox = hotpath.phases?.outbox?.cpuMicrosPerEvent;
    const records = hotpath.units.kinesisRecords;
    if (sdk && outbox !== undefined && records > 0) {
      // The ceiling's SDK figure is per record of one message; the outbox packs many into a record.
      parts.push(
        `of which the outbox (not in the ceiling: the messages' JSON, packed ${fmt(hotpath.events / records)} ` +
          `to a record, and the SDK's PutRecords, ${fmt(sdk)} µs per record of one message) is ${fmt(outbox)} µs`,
      );
    }
  }
  if (hotpath.phases) {
    const aggregates = hotpath.phases.aggregates?.cpuMicrosPerEvent;
    parts.push(
      `by phase (CPU µs per event): ${phaseList(hotpath.phases)}` +
        (aggregates && cpu > 0
          ? `; the aggregates (plan and put of the touched partials, the event log) are ${fmt((100 * aggregates) / cpu)}% of it`
          : ''),
    );
  }
  const byTable = Object.entries(hotpath.units.dynamodbByTable)
    .filter(([, t]) => t.calls > 0)
    .sort((a, b) => b[1].calls - a[1].calls);
  if (byTable.length > 0) {
    const perEvent = byTable.reduce((sum, [, t]) => sum + t.calls, 0) / Math.max(1, hotpath.events);
    const sdkCall = ceiling?.primitives.dynamodbCallSdk?.microsPerCall;
    parts.push(
      `DynamoDB calls per million events: ${byTable.map(([table, t]) => `${table} ${fmt((t.calls * 1e6) / Math.max(1, hotpath.events))}`).join(', ')}` +
        (sdkCall
          ? ` (${fmt(perEvent)} calls/event × ${fmt(sdkCall)} µs SDK CPU per call ≈ ${fmt(perEvent * sdkCall)} µs/event)`
          : ''),
    );
  }
  const aggregates = byTable.find(([table]) => table.includes('aggregates'));
  if (aggregates && aggregates[1].calls > 0) {
    // A write unit is 1 KB of item (rounded up per item): the size of what one batch puts.
    const kilobytesPerBatch = aggregates[1].writeUnits / Math.max(1, hotpath.batches);
    parts.push(
      `the aggregates put each touched cell once per batch of ${fmt(report.workload.batchSize)}, whole but for ` +
        `the subjects it already stored, as Brotli-compressed JSON on a few pages of up to 320 KB of JSON (one BatchWriteItem), and the batch's event ids once: about ` +
        `${fmt(kilobytesPerBatch)} KB per batch; bigger batches (--batch-size, RESIDENCY_INGEST_BATCH_SIZE) put fewer ` +
        'cells per event. What is left of the aggregates is our own planning and serializing, and the SDK and HTTP ' +
        'work of the remaining calls',
    );
  }
  const without = hotpath.withoutAggregates;
  if (without) {
    const saved = wall - 1_000_000 / Math.max(1, without.eventsPerSecond);
    parts.push(
      `with the aggregates port a no-op, the same handler did ${fmt(without.eventsPerSecond)}/s ` +
        `(${fmt((100 * without.eventsPerSecond) / GOAL_TARGETS.hotpathEventsPerSecond)}% of the goal): the aggregates cost ` +
        `${fmt(saved)} µs wall per event, and ` +
        (without.eventsPerSecond < GOAL_TARGETS.hotpathEventsPerSecond
          ? 'the rest of the handler alone is short of the goal too'
          : 'the rest of the handler alone meets the goal'),
    );
  }
  if (wait === undefined && wall > cpu * 1.15)
    parts.push(`${fmt(wall - cpu)} µs per event were spent waiting (I/O to the emulators, timers)`);
  if (hotpath.handler !== 'pipeline')
    parts.push('measured on the core composition, not the pipeline handler');
  return parts.join('; ');
}

function primitiveList(
  primitives: Record<string, { microsPerEvent: number; inWarmCeiling: boolean }>,
): string {
  return Object.entries(primitives)
    .filter(([, p]) => p.inWarmCeiling)
    .map(([name, p]) => `${name} ${fmt(p.microsPerEvent)}`)
    .join(' + ');
}

function atLeast(
  id: Goal['id'],
  description: string,
  target: number,
  measured: number | null,
  why: () => string,
): Goal {
  return judged(id, description, target, measured, why, (m) =>
    m >= target ? null : `${fmt(((target - m) / target) * 100)}% below (${fmt(m)} vs ${fmt(target)})`,
  );
}

function atMost(
  id: Goal['id'],
  description: string,
  target: number,
  measured: number | null,
  why: () => string,
): Goal {
  return judged(id, description, target, measured, why, (m) =>
    m <= target ? null : `${fmt(m - target)} above (${fmt(m)} vs at most ${fmt(target)})`,
  );
}

// A goal from its measurement: `shortBy` says how far a missed one is, null when it is met.
function judged(
  id: Goal['id'],
  description: string,
  target: number,
  measured: number | null,
  why: () => string,
  shortBy: (measured: number) => string | null,
): Goal {
  if (measured === null) return { id, description, target, measured, met: null, shortBy: null, why: null };
  const gap = shortBy(measured);
  const met = gap === null;
  return { id, description, target, measured, met, shortBy: gap, why: met ? null : why() };
}

function top(byOperation: Record<string, number>, count = 4): string {
  const entries = Object.entries(byOperation).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none';
  return entries
    .slice(0, count)
    .map(([operation, n]) => `${operation} ${fmt(n)}`)
    .join(', ');
}

function filterPrefix(byOperation: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([key]) => key.startsWith(prefix)));
}

/** Formats a figure for prose: thousands separated, at most 3 significant decimals. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** `handler 45 + vault 3.1 + outbox 33 + aggregates 95 = 176 CPU (wall 230)`: the phases of a pass, largest last. */
export function phaseList(phases: Record<string, PhaseCost>): string {
  const entries = Object.entries(phases).sort((a, b) => a[1].cpuMicrosPerEvent - b[1].cpuMicrosPerEvent);
  const cpu = entries.reduce((sum, [, p]) => sum + p.cpuMicrosPerEvent, 0);
  const wall = entries.reduce((sum, [, p]) => sum + p.wallMicrosPerEvent, 0);
  return `${entries.map(([name, p]) => `${name} ${fmt(p.cpuMicrosPerEvent)}`).join(' + ')} = ${fmt(cpu)} CPU (wall ${fmt(wall)})`;
}

// `hot/ceiling` events/s of each measured pair, in run order.
function pairList(hot: readonly number[] | undefined, ceilings: readonly number[]): string {
  return ceilings.map((c, i) => `${fmt(hot?.[i] ?? 0)}/${fmt(c)}`).join(', ');
}
