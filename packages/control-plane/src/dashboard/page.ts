/** The charts on the dashboard: section id suffix and title. */
export const DASHBOARD_CHARTS = [
  { id: 'tenant', title: 'Records by tenant' },
  { id: 'type', title: 'Records by event type' },
  { id: 'day', title: 'Records by day' },
  { id: 'dimension', title: 'Records by dimension: ' },
  { id: 'aggregates', title: 'Released aggregates over time: ' },
] as const;

/**
 * The dashboard page: static HTML that loads the bundled Chart.js and the dashboard script from
 * `/assets/` (same origin, no CDN: it works offline and under a strict CSP).
 */
export function dashboardHtml(): string {
  const sections = DASHBOARD_CHARTS.map(
    (chart) =>
      `<section class="chart" id="chart-${chart.id}"><h2>${chart.title}${
        chart.id === 'aggregates'
          ? '<span id="aggregates-type">(none yet)</span>'
          : chart.id === 'dimension'
            ? '<span id="dimension-name"></span>'
            : ''
      }</h2><canvas></canvas><table></table></section>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Residency control plane</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/chart.umd.min.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-ready="false">
<h1>Residency control plane</h1>
<p id="status">Loading…</p>
<main>
${sections}
</main>
</body>
</html>
`;
}
