import { existsSync } from 'node:fs';
import { aggregateCell, bookedRecord } from '@residency/testing/outbox';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningControlPlane, startControlPlaneServer } from '../../src/index.ts';
import { testSigner } from '../fixtures/signing.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) {
  console.warn(`dashboard test not run: ${CHROMIUM} is missing (install Debian's chromium; CI installs it)`);
}

describe.runIf(hasChromium || !!process.env.CI)('dashboard in headless Chromium', () => {
  let server: RunningControlPlane;
  let browser: Browser;

  beforeAll(async () => {
    const signing = testSigner();
    server = await startControlPlaneServer({ publicKeys: signing.publicKeys });
    const records = [
      ...Array.from({ length: 7 }, () =>
        bookedRecord({ tenantId: 'clinic-dhaka-1', department: 'cardiology' }),
      ),
      ...Array.from({ length: 4 }, () =>
        bookedRecord({ tenantId: 'clinic-kolkata-2', department: 'oncology' }),
      ),
      ...Array.from({ length: 2 }, () =>
        bookedRecord({
          tenantId: 'clinic-kolkata-2',
          department: 'cardiology',
          occurredHour: '2025-03-05T09:00Z',
        }),
      ),
    ];
    const cells = [
      aggregateCell({ windowStart: '2025-03-04T05:00:00Z', count: 12 }),
      aggregateCell({ windowStart: '2025-03-04T05:00:00Z', tenantId: 'clinic-kolkata-2', count: 30 }),
      aggregateCell({ windowStart: '2025-03-04T06:00:00Z', count: 17 }),
      aggregateCell({ windowStart: '2025-03-04T07:00:00Z', count: 11 }),
    ];
    for (const request of [signing.sign('records', records), signing.sign('aggregates', cells)]) {
      const response = await fetch(`${server.url}/ingest`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      expect(response.status).toBe(200);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws charts with exactly the numbers the query API returns, from bundled assets only', async () => {
    // Prepare
    type Counts = { counts: Array<{ key: string; count: number }> };
    type Series = { series: Array<{ windowStart: string; count: number }> };
    const api = async <T>(path: string) => (await (await fetch(`${server.url}${path}`)).json()) as T;
    const byTenant = await api<Counts>('/api/counts?by=tenant');
    const byType = await api<Counts>('/api/counts?by=type');
    const byDay = await api<Counts>('/api/counts?by=day');
    const byDepartment = await api<Counts>('/api/counts?by=dimension&dimension=department');
    const series = await api<Series>('/api/aggregates?type=appointment.booked');
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreign.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Act
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    // Runs in the page (a string: this package compiles without DOM types).
    const drawn = (await page.evaluate(`(() => {
      const out = {};
      for (const section of document.querySelectorAll('section.chart')) {
        const chart = window.Chart.getChart(section.querySelector('canvas'));
        out[section.id.replace('chart-', '')] = {
          labels: chart.data.labels,
          values: chart.data.datasets[0].data,
          table: [...section.querySelectorAll('tr')].map((tr) => [
            tr.querySelector('th')?.textContent ?? '',
            tr.querySelector('td')?.dataset.value ?? '',
          ]),
        };
      }
      return out;
    })()`)) as Record<string, { labels: unknown[]; values: unknown[]; table: string[][] }>;
    // Assess
    const expectChart = (id: string, rows: Array<[string, number]>) => {
      expect(drawn[id]?.labels).toEqual(rows.map((r) => r[0]));
      expect(drawn[id]?.values).toEqual(rows.map((r) => r[1]));
      expect(drawn[id]?.table).toEqual(rows.map((r) => [r[0], String(r[1])]));
    };
    const counts = (body: Counts) => body.counts.map((row) => [row.key, row.count] as [string, number]);
    expect(counts(byTenant)).toEqual([
      ['clinic-dhaka-1', 7],
      ['clinic-kolkata-2', 6],
    ]);
    expectChart('tenant', counts(byTenant));
    expectChart('type', counts(byType));
    expectChart('day', counts(byDay));
    expectChart('dimension', counts(byDepartment));
    expect(series.series.map((p) => p.count)).toEqual([42, 17, 11]);
    expectChart(
      'aggregates',
      series.series.map((p) => [p.windowStart, p.count] as [string, number]),
    );
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
