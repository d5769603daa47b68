import { existsSync } from 'node:fs';
import { bookedRecord } from '@residency/testing/outbox';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningControlPlane, startControlPlaneServer } from '../src/index.ts';
import { testSigner } from './fixtures/signing.ts';

// The query API and the dashboard against hostile input: filters that try to reach other keys or
// expressions, parameters given twice, and labels that passed the schema but are HTML.
let server: RunningControlPlane;
const signing = testSigner();
const TENANT = 'clinic-xss-1';
// Labels a department may hold (a string of at most 64 characters): each is data, never markup.
const HOSTILE_LABELS = [
  '<img src=x onerror="window.__xss=1">',
  '</script><script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
];

beforeAll(async () => {
  server = await startControlPlaneServer({ publicKeys: signing.publicKeys });
  const records = [
    ...HOSTILE_LABELS.map((department) => bookedRecord({ tenantId: TENANT, department })),
    bookedRecord({ tenantId: TENANT, department: 'cardiology' }),
  ];
  const batch = signing.sign('records', records);
  const response = await fetch(`${server.url}/ingest`, {
    method: 'POST',
    headers: batch.headers,
    body: batch.body,
  });
  expect(response.status).toBe(200);
});
afterAll(async () => {
  await server.close();
});

const get = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
};

describe('query API under attack', () => {
  it('refuses filters shaped like key or expression injection with 400, echoing none of them', async () => {
    // Prepare: each would reach another partition or an expression if it went into a key or an expression unchecked
    const hostile = [
      ['counts?by=dimension&dimension=', 'department#x'],
      ['counts?by=dimension&dimension=', 'department) OR begins_with(pk, :pk'],
      ['counts?by=dimension&dimension=', '#pk'],
      ['counts?by=dimension&dimension=', ':n'],
      ['counts?by=tenant&tenant=', '*'],
      ['counts?by=type&tenant=', `${TENANT}#dim:department`],
      ['counts?by=', 'dim:department'],
      ['distinct-patients?day=2025-03-04&tenant=', 'x#2025-03-04'],
      ['distinct-patients?tenant=clinic-xss-1&day=', '2025-03-04#'],
      ['aggregates?type=', 'appointment.booked#x'],
      ['aggregates?type=appointment.booked&tenant=', `${TENANT}#appointment.booked`],
      ['aggregates?type=appointment.booked&from=', "2025' OR '1'='1"],
      ['aggregates?type=appointment.booked&limit=', '1e9'],
      ['aggregates?type=appointment.booked&limit=', '-1'],
      ['alerts?day=', '2025-01-01"}'],
      ['counts?by=tenant&tenant=', 'a'.repeat(5_000)],
    ];
    // Act
    const answers = [];
    for (const [path, value] of hostile)
      answers.push(await get(`/api/${path}${encodeURIComponent(value as string)}`));
    // Assess
    expect(answers.map((a) => a.status)).toEqual(hostile.map(() => 400));
    answers.forEach((answer, i) => {
      const value = (hostile[i] as string[])[1] as string;
      expect(answer.text).not.toContain(value.length > 3 ? value : `"${value}"`);
    });
  });

  it('reads only the asked scope: a tenant filter never reaches the global or another tenant', async () => {
    // Prepare, Act
    const mine = await get(`/api/counts?by=dimension&dimension=department&tenant=${TENANT}`);
    const other = await get('/api/counts?by=dimension&dimension=department&tenant=clinic-none-9');
    // Assess
    expect(JSON.parse(mine.text).counts).toHaveLength(HOSTILE_LABELS.length + 1);
    expect(JSON.parse(other.text).counts).toEqual([]);
  });

  it('refuses a parameter given twice with 400 rather than picking one', async () => {
    // Prepare, Act
    const twice = await get(`/api/counts?by=tenant&by=dimension&dimension=department`);
    const tenants = await get(`/api/counts?by=tenant&tenant=${TENANT}&tenant=clinic-none-9`);
    // Assess
    expect([twice.status, tenants.status]).toEqual([400, 400]);
  });

  it('answers stored HTML-looking labels as JSON data that no browser sniffs into a page', async () => {
    // Prepare, Act
    const answer = await get('/api/counts?by=dimension&dimension=department');
    const refused = await get('/api/counts?by=%3Cscript%3E');
    // Assess
    for (const response of [answer, refused]) {
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(JSON.parse(answer.text).counts.map((row: { key: string }) => row.key)).toEqual(
      expect.arrayContaining(HOSTILE_LABELS),
    );
    expect(refused.text).not.toContain('<script>');
  });
});

const CHROMIUM = '/usr/bin/chromium';
describe.runIf(existsSync(CHROMIUM) || !!process.env.CI)('dashboard under attack (headless Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows stored labels as text: no element, no script, and the label exactly as stored', async () => {
    // Prepare
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Act: the labels reach the page through the API; a hostile dimension and type through the URL
    await page.goto(
      `${server.url}/?dimension=department&type=${encodeURIComponent('<img src=x onerror="window.__xss=4">')}`,
    );
    await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 15_000 });
    const seen = (await page.evaluate(`(() => ({
      xss: window.__xss ?? null,
      injected: document.querySelectorAll('main img, main svg, main script, #status img').length,
      labels: [...document.querySelectorAll('#chart-dimension th')].map((th) => th.textContent),
    }))()`)) as { xss: unknown; injected: number; labels: string[] };
    // Assess
    expect(seen.xss).toBeNull();
    expect(seen.injected).toBe(0);
    expect(seen.labels).toEqual(expect.arrayContaining(HOSTILE_LABELS));
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
