import { semiSpaceText } from './machine.ts';
import { type Bar, barChart, escapeXml, formatNumber, type StackedBar, stackedChart } from './svg.ts';
import { renderTable } from './table.ts';
import type { LoadtestReport, ScenarioReport } from './types.ts';

/**
 * A self-contained HTML report (`--html FILE`): inline SVG charts of throughput, latency, CPU
 * per event against the ceiling's primitives, API calls and cost per million events; the goals,
 * the capacity plan, the text table, and the JSON report embedded for other tools. No script,
 * no CDN, no external resource: it opens offline and can be archived as is.
 */
export function renderHtml(report: LoadtestReport): string {
  const passes = scenarioPasses(report);
  const throughput: Bar[] = [
    ...(report.ceiling ? [{ label: 'ceiling (warm)', value: report.ceiling.eventsPerSecond }] : []),
    ...passes.map(([label, r]) => ({ label, value: r.eventsPerSecond })),
    ...(report.hotpath?.withoutAggregates
      ? [
          {
            label: 'hotpath warm, aggregates a no-op',
            value: report.hotpath.withoutAggregates.eventsPerSecond,
          },
        ]
      : []),
  ];
  const latency: StackedBar[] = passes.map(([label, r]) => ({
    label: `${label} (${r.latencyUnit})`,
    parts: [
      { name: 'p50', value: r.latencyMillis.p50 },
      { name: 'p90 − p50', value: r.latencyMillis.p90 - r.latencyMillis.p50 },
      { name: 'p99 − p90', value: r.latencyMillis.p99 - r.latencyMillis.p90 },
      { name: 'max − p99', value: r.latencyMillis.max - r.latencyMillis.p99 },
    ],
  }));
  const cpu: StackedBar[] = [];
  if (report.ceiling) {
    const p = report.ceiling.primitives;
    cpu.push({
      label: 'ceiling (warm)',
      parts: Object.entries(p)
        .filter(([, v]) => v.inWarmCeiling)
        .map(([name, v]) => ({ name, value: v.microsPerEvent })),
    });
    cpu.push({
      label: 'ceiling + outbox SDK',
      parts: Object.entries(p)
        .filter(([, v]) => v.inWarmCeiling || v === p.outboxSdk)
        .map(([name, v]) => ({ name, value: v.microsPerEvent })),
    });
  }
  // A pass whose ports were timed (the pipeline's hot path) is stacked by phase.
  for (const [label, r] of passes.slice(0, 4))
    cpu.push({
      label,
      parts: r.phases
        ? Object.entries(r.phases).map(([name, phase]) => ({ name, value: phase.cpuMicrosPerEvent }))
        : [{ name: 'measured CPU', value: r.cpuMicrosPerEvent }],
    });

  const operations = new Set<string>();
  for (const [, r] of passes)
    for (const op of Object.keys(r.apiCallsPerMillionByOperation)) operations.add(op);
  const calls: Bar[] = [];
  for (const op of [...operations].sort()) {
    for (const [label, r] of passes) {
      const value = r.apiCallsPerMillionByOperation[op];
      if (value) calls.push({ label: `${op} · ${label}`, value });
    }
  }
  const cost: StackedBar[] = passes.map(([label, r]) => ({
    label,
    parts: r.costPerMillion.lines.map((line) => ({ name: line.item, value: line.usdPerMillionEvents })),
  }));

  const goals = report.goals
    .map(
      (g) =>
        `<tr class="${g.met === null ? 'na' : g.met ? 'met' : 'missed'}"><td>${g.met === null ? '–' : g.met ? '✓' : '✗'}</td><td>${escapeXml(g.description)}</td>` +
        `<td>${g.measured === null ? 'not measured' : formatNumber(g.measured)}</td><td>${formatNumber(g.target)}</td><td>${escapeXml([g.shortBy, g.why].filter(Boolean).join(': '))}</td></tr>`,
    )
    .join('');
  const capacity = report.capacity
    .map(
      (row) =>
        `<tr><td>${formatNumber(row.eventsPerSecond)}</td><td>${row.shards.events} + ${row.shards.outbox}</td><td>${row.lambda.concurrency} (${formatNumber(row.lambda.utilization * 100)}% busy)</td>` +
        `<td>${formatNumber(row.vault.readUnitsPerSecond)} / ${formatNumber(row.vault.writeUnitsPerSecond)}</td><td>${formatNumber(row.vault.backfillReadUnitsPerSecond)} / ${formatNumber(row.vault.backfillWriteUnitsPerSecond)}</td>` +
        `<td>${formatNumber(row.kmsRequestsPerSecond)}</td><td>$${formatNumber(row.monthlyUsd.total)}</td><td>$${formatNumber(row.vaultProvisioned.totalUsd)}</td></tr>`,
    )
    .join('');
  const json = JSON.stringify(report, null, 2).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>residency loadtest ${escapeXml(report.startedAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#111;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
tr.missed td{background:#fee2e2}tr.met td:first-child{color:#15803d}tr.missed td:first-child{color:#b91c1c}
pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.75rem}.caption{fill:#666;font-size:10px}
</style></head><body>
<h1>residency loadtest</h1>
<p>${escapeXml(`${report.target.mode === 'local' ? 'Local emulators' : 'AWS'}, ${report.target.region} · ${report.machine.availableParallelism} × ${report.machine.cpuModel} · Node ${report.machine.nodeVersion}${semiSpaceText(report.machine.maxSemiSpaceMb)} · ${report.startedAt} · ${report.durationSeconds} s`)}</p>
<h2>Goals</h2><table><tr><th></th><th>goal</th><th>measured</th><th>target</th><th>short by, why</th></tr>${goals}</table>
<h2>Throughput (events/s, one core)</h2>${barChart(throughput, { unit: 'ev/s', log: true })}
<h2>Latency (ms)</h2>${stackedChart(latency, { unit: 'ms' })}
<h2>CPU per event (µs): ceiling primitives and measured passes (the hot path by phase)</h2>${stackedChart(cpu, { unit: 'µs' })}
<h2>AWS API calls per million events</h2>${calls.length > 0 ? barChart(calls, { unit: '/M', log: true }) : '<p>none measured</p>'}
<h2>Cost per million events (USD, ${escapeXml(report.costPerMillion.region)} list prices as of ${escapeXml(report.costPerMillion.pricesAsOf)}${report.costPerMillion.pricesVerified ? '' : ', unverified'})</h2>${stackedChart(cost, { unit: 'USD' })}
<p>${escapeXml(report.costPerMillion.note)}</p>
<h2>Capacity (steady state)</h2><table><tr><th>events/s</th><th>shards (events + outbox)</th><th>Lambda concurrency</th><th>vault RRU/s / WRU/s</th><th>backfill RRU/s / WRU/s</th><th>KMS req/s</th><th>monthly</th><th>monthly, vault provisioned</th></tr>${capacity}</table>
<h2>Summary</h2><pre>${escapeXml(renderTable(report))}</pre>
<h2>JSON report</h2><script type="application/json" id="report">${json}</script><pre>${escapeXml(JSON.stringify(report, null, 2))}</pre>
</body></html>
`;
}

function scenarioPasses(report: LoadtestReport): Array<[string, ScenarioReport]> {
  const out: Array<[string, ScenarioReport]> = [];
  if (report.hotpath) {
    out.push(['hot path warm', report.hotpath]);
    if (report.hotpath.cold) out.push(['hot path cold', report.hotpath.cold]);
  }
  if (report.naive) {
    out.push(['naive warm', report.naive]);
    if (report.naive.cold) out.push(['naive cold', report.naive.cold]);
  }
  if (report.e2e) out.push(['e2e', report.e2e]);
  return out;
}
