/** A line refused before the stream: its number and the reason (field names, never values). */
export interface RejectedLine {
  line: number;
  reason: string;
}

/**
 * The report of `residency run` (`--report FILE.json`). `complete` is true when both invariants
 * hold: `sent + rejected.length + failedToSend.length = lines` and
 * `forwarded + quarantined.count = sent`.
 */
export interface RunReport {
  /** Lines read, blank lines not counted (a rejected line's `line` is its number in the file). */
  lines: number;
  sent: number;
  rejected: RejectedLine[];
  forwarded: number;
  quarantined: { count: number; reasons: Record<string, number> };
  /** Accepted by the producer but reported failed by the stream (never silently lost). */
  failedToSend: Array<{ eventId: string; reason: string }>;
  /** Events sent but neither forwarded nor quarantined when the wait ended (0 when complete). */
  unaccounted: number;
  complete: boolean;
  aggregates: { releasedCells: number; suppressedCells: number; storedCells: number };
  controlPlane?: { url: string; dashboard: string };
  elapsedMillis: number;
}

/** The summary `residency run` prints. */
export function formatSummary(report: RunReport): string {
  const reasons = Object.entries(report.quarantined.reasons)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const rows = [
    ['lines', report.lines],
    ['rejected before the stream', report.rejected.length],
    ['sent to the events stream', report.sent],
    ['forwarded to the control plane', report.forwarded],
    ['quarantined in region', `${report.quarantined.count}${reasons ? ` (${reasons})` : ''}`],
    ['failed to send', report.failedToSend.length],
    ['unaccounted', report.unaccounted],
    [
      'aggregate cells released / suppressed',
      `${report.aggregates.releasedCells} / ${report.aggregates.suppressedCells}`,
    ],
    ['aggregate cells stored by the control plane', report.aggregates.storedCells],
    ['elapsed', `${(report.elapsedMillis / 1000).toFixed(1)} s`],
  ] as const;
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const verdict = report.complete
    ? 'every line accounted for: forwarded, quarantined in region, or rejected with a reason'
    : report.unaccounted > 0
      ? `NOT COMPLETE: ${report.unaccounted} events not yet accounted for`
      : `NOT COMPLETE: ${report.lines - report.sent - report.rejected.length - report.failedToSend.length} lines neither sent nor rejected`;
  const dashboard = report.controlPlane ? [`  dashboard  ${report.controlPlane.dashboard}`] : [];
  return ['residency run', ...lines, ...dashboard, `  ${verdict}`].join('\n');
}
