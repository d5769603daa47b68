// The dashboard's browser code. Plain script (no build step), loaded after the bundled Chart.js.
// It exposes exactly what it plotted: on each chart's section (data-labels, data-values), in a
// table under the chart, and in window.__residencyCharts, so that tests and users can check the
// charts against the query API.
(() => {
  const params = new URLSearchParams(window.location.search);
  const dimension = params.get('dimension') || 'department';

  const countRows = (body) => body.counts.map((row) => [row.key, row.count]);
  const charts = [
    { id: 'tenant', url: '/api/counts?by=tenant', type: 'bar', label: 'records', rows: countRows },
    { id: 'type', url: '/api/counts?by=type', type: 'bar', label: 'records', rows: countRows },
    { id: 'day', url: '/api/counts?by=day', type: 'line', label: 'records', rows: countRows },
    {
      id: 'dimension',
      url: `/api/counts?by=dimension&dimension=${encodeURIComponent(dimension)}`,
      type: 'bar',
      label: dimension,
      rows: countRows,
    },
  ];

  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  function render(spec, labels, values) {
    const section = document.getElementById(`chart-${spec.id}`);
    const canvas = section.querySelector('canvas');
    // Chart is the global of the bundled UMD build (/assets/chart.umd.min.js).
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels,
        datasets: [{ label: spec.label, data: values, backgroundColor: '#3b6ea5', borderColor: '#3b6ea5' }],
      },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { display: false } },
      },
    });
    section.dataset.labels = JSON.stringify(labels);
    section.dataset.values = JSON.stringify(values);
    const table = section.querySelector('table');
    table.replaceChildren(
      ...labels.map((label, i) => {
        const tr = document.createElement('tr');
        const th = document.createElement('th');
        th.textContent = label;
        const td = document.createElement('td');
        td.textContent = String(values[i]);
        td.dataset.value = String(values[i]);
        tr.append(th, td);
        return tr;
      }),
    );
    window.__residencyCharts[spec.id] = { labels, values, source: spec.url };
  }

  async function main() {
    window.__residencyCharts = {};
    document.getElementById('dimension-name').textContent = dimension;
    const types = await getJson('/api/aggregate-types');
    const type = params.get('type') || types.types[0];
    if (type) {
      charts.push({
        id: 'aggregates',
        url: `/api/aggregates?type=${encodeURIComponent(type)}`,
        type: 'line',
        label: type,
        rows: (body) => body.series.map((point) => [point.windowStart, point.count]),
      });
      document.getElementById('aggregates-type').textContent = type;
    }
    await Promise.all(
      charts.map(async (spec) => {
        const rows = spec.rows(await getJson(spec.url));
        render(
          spec,
          rows.map((row) => row[0]),
          rows.map((row) => row[1]),
        );
      }),
    );
    document.getElementById('status').textContent = `Updated ${new Date().toISOString()}`;
    document.body.dataset.ready = 'true';
  }

  main().catch((error) => {
    document.getElementById('status').textContent = `Could not load: ${error.message}`;
    document.body.dataset.ready = 'error';
  });
})();
