import { fmt, phaseList } from './goals.ts';
import type { LoadtestReport, ScenarioReport } from './types.ts';

const WIDTH = 118;

/**
 * The one-screen summary printed at the end of a run: a row per measured pass, the ceiling's
 * primitives, API calls per million by operation, cost, ratios, goals (with how far and why a
 * missed one missed), capacity. Plain text, no colour codes, fits 120 columns.
 */
export function renderTable(report: LoadtestReport): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `residency loadtest · ${report.target.mode === 'local' ? 'local emulators' : 'AWS'} ${report.target.region} · ` +
      `${m.availableParallelism} × ${m.cpuModel} · Node ${m.nodeVersion} · ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${fmt(report.durationSeconds)} s`,
  );
  lines.push('');
  const header = [
    pad('scenario', 14),
    lpad('events', 8),
    lpad('events/s', 9),
    pad(' latency', 9),
    lpad('p50 ms', 7),
    lpad('p90 ms', 7),
    lpad('p99 ms', 7),
    lpad('max ms', 7),
    lpad('CPU µs/ev', 10),
    lpad('peak MB', 8),
    lpad('API calls/M', 12),
    lpad('KMS/M', 11),
    lpad('$/M ev', 9),
  ];
  lines.push(header.join(''));
  const c = report.ceiling;
  if (c) {
    lines.push(
      [
        pad('ceiling', 14),
        lpad(fmt(c.events), 8),
        lpad(fmt(c.eventsPerSecond), 9),
        pad(' -', 9),
        lpad('-', 7),
        lpad('-', 7),
        lpad('-', 7),
        lpad('-', 7),
        lpad(fmt(c.warmMicrosPerEvent), 10),
        lpad(mb(c.peakRssBytes), 8),
        lpad('-', 12),
        lpad('-', 11),
        lpad('-', 9),
      ].join(''),
    );
  }
  const row = (label: string, r: ScenarioReport) =>
    [
      pad(label, 14),
      lpad(fmt(r.events), 8),
      lpad(fmt(r.eventsPerSecond), 9),
      pad(` ${r.latencyUnit}`, 9),
      lpad(fmt(r.latencyMillis.p50), 7),
      lpad(fmt(r.latencyMillis.p90), 7),
      lpad(fmt(r.latencyMillis.p99), 7),
      lpad(fmt(r.latencyMillis.max), 7),
      lpad(fmt(r.cpuMicrosPerEvent), 10),
      lpad(mb(r.peakRssBytes), 8),
      lpad(fmt(r.apiCallsPerMillion), 12),
      lpad(fmt(r.kmsCallsPerMillion), 11),
      lpad(usd(r.costPerMillion.usdPerMillionEvents), 9),
    ].join('');
  if (report.hotpath) {
    lines.push(row('hotpath warm', report.hotpath));
    if (report.hotpath.cold) lines.push(row('hotpath cold', report.hotpath.cold));
  }
  if (report.naive) {
    lines.push(row('naive warm', report.naive));
    if (report.naive.cold) lines.push(row('naive cold', report.naive.cold));
  }
  if (report.e2e) lines.push(row('e2e', report.e2e));
  for (const skipped of report.skipped)
    lines.push(...wrap(`${pad(skipped.scenario, 14)}skipped: ${skipped.reason}`));

  if (c) {
    lines.push('');
    const p = c.primitives;
    const part = (name: string) => `${name} ${fmt(p[name]?.microsPerEvent ?? 0)}`;
    lines.push(
      ...wrap(
        `ceiling µs/event (${fmt(c.identifiersPerEvent)} identifiers/event): ${['decodeParse', 'validate', 'cacheLookup', 'serialize'].map(part).join(' + ')} = ` +
          `${fmt(c.warmMicrosPerEvent)} warm → ${fmt(c.eventsPerSecond)}/s; + ${part('hmac')} = ${fmt(c.coldMicrosPerEvent)} cold → ${fmt(c.coldEventsPerSecond)}/s; ` +
          `outbox SDK ${fmt(p.outboxSdk?.microsPerEvent ?? 0)} per record (outside both)`,
      ),
    );
  }
  const phases = report.hotpath?.phases;
  if (phases) {
    if (!c) lines.push('');
    lines.push(...wrap(`hot path warm µs/event by phase: ${phaseList(phases)}`));
  }
  const without = report.hotpath?.withoutAggregates;
  if (without) {
    lines.push(
      ...wrap(
        `hot path warm with the aggregates port a no-op (a counterfactual): ${fmt(without.eventsPerSecond)} events/s, ` +
          `${fmt(without.cpuMicrosPerEvent)} µs CPU per event` +
          (without.measurements && without.measurements.length > 1
            ? ` (the median of ${without.measurements.map(fmt).join(', ')})`
            : ''),
      ),
    );
  }
  const measurements = report.hotpath?.measurements;
  if (measurements && measurements.length > 1) {
    lines.push(
      ...wrap(
        `hot path warm: the median of ${measurements.length} measurements, events/s in run order ${measurements.map(fmt).join(', ')}`,
      ),
    );
  }

  const columns: Array<[string, Record<string, number> | undefined]> = [
    ['ours warm', report.hotpath?.apiCallsPerMillionByOperation],
    ['naive warm', report.naive?.apiCallsPerMillionByOperation],
    ['ours cold', report.hotpath?.cold?.apiCallsPerMillionByOperation],
    ['naive cold', report.naive?.cold?.apiCallsPerMillionByOperation],
  ];
  const present = columns.filter(([, counts]) => counts !== undefined) as Array<
    [string, Record<string, number>]
  >;
  if (present.length > 0) {
    lines.push('');
    lines.push(pad('API calls per million events', 34) + present.map(([name]) => lpad(name, 13)).join(''));
    const operations = [...new Set(present.flatMap(([, counts]) => Object.keys(counts)))].sort();
    for (const operation of operations) {
      lines.push(
        pad(`  ${operation}`, 34) +
          present.map(([, counts]) => lpad(fmt(counts[operation] ?? 0), 13)).join(''),
      );
    }
  }

  const cost = report.costPerMillion;
  lines.push('');
  lines.push(
    ...wrap(
      `cost per million events, ${cost.region} list prices as of ${cost.pricesAsOf}${cost.pricesVerified ? '' : ' (from memory, unverified)'}: ` +
        `ours ${usd(cost.ours)} warm / ${usd(cost.oursCold)} cold · naive ${usd(cost.naive)} warm / ${usd(cost.naiveCold)} cold`,
    ),
  );
  const r = report.ratios;
  lines.push(
    `ratios: hot path / ceiling ${ratioText(r.hotpathToCeiling)} · hot path / naive ${times(r.hotpathToNaive)} (cold ${times(r.hotpathToNaiveCold)}) · ` +
      `API calls naive / ours ${times(r.apiCallsNaiveToOurs)} (cold ${times(r.apiCallsNaiveToOursCold)})`,
  );

  lines.push('');
  lines.push('goals:');
  for (const goal of report.goals) {
    const mark = goal.met === null ? '-' : goal.met ? '✓' : '✗';
    const measured = goal.measured === null ? 'not measured' : fmt(goal.measured);
    lines.push(
      `  ${mark} ${pad(goal.description, 66)} ${lpad(measured, 10)}  (target ${goal.id === 'kmsCallsPerEvent' || goal.id === 'durationSeconds' ? '≤' : '≥'} ${fmt(goal.target)})`,
    );
    if (goal.met === false) lines.push(...wrap(`${goal.shortBy}: ${goal.why}`, '      '));
  }

  if (report.capacity.length > 0) {
    lines.push('');
    lines.push(
      ...wrap(
        `capacity (steady state, see docs/capacity.md): ${report.capacity
          .map(
            (row) =>
              `${fmt(row.eventsPerSecond)}/s: ${row.shards.events}+${row.shards.outbox} shards, ${row.lambda.concurrency} Lambda, vault ${fmt(row.vault.writeUnitsPerSecond)} WRU/s ${fmt(row.vault.readUnitsPerSecond)} RRU/s, $${fmt(row.monthlyUsd.total)}/month ($${fmt(row.vaultProvisioned.totalUsd)} with the vault provisioned)`,
          )
          .join(' · ')}`,
      ),
    );
  } else if (report.hotpath && !report.hotpath.cold) {
    lines.push('');
    lines.push(...wrap('capacity: no plan without the cold pass (--no-cold), which prices new identifiers'));
  }
  for (const note of report.notes) lines.push(...wrap(`note: ${note}`));
  return `${lines.join('\n')}\n`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width);
}

function lpad(text: string, width: number): string {
  return text.padStart(width);
}

function mb(bytes: number): string {
  return fmt(bytes / (1024 * 1024));
}

function usd(value: number | null): string {
  if (value === null) return '-';
  return `$${value >= 1 ? value.toFixed(2) : value.toPrecision(3)}`;
}

function times(value: number | null): string {
  return value === null ? '-' : `${fmt(value)}×`;
}

function ratioText(value: number | null): string {
  return value === null ? '-' : fmt(value);
}

function wrap(text: string, indent = ''): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > WIDTH && line.trim().length > 0) {
      out.push(line.trimEnd());
      line = `${indent}  `;
    }
    line += `${word} `;
  }
  if (line.trim().length > 0) out.push(line.trimEnd());
  return out;
}
