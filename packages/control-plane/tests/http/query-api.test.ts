import { aggregateCell, bookedRecord, newToken } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningControlPlane, startControlPlaneServer } from '../../src/index.ts';
import { testSigner } from '../fixtures/signing.ts';

let server: RunningControlPlane;
const signing = testSigner();
const patient = newToken();

beforeAll(async () => {
  server = await startControlPlaneServer({ publicKeys: signing.publicKeys });
  const records = [
    bookedRecord({ tenantId: 'clinic-q', subject: patient, department: 'eye' }),
    bookedRecord({ tenantId: 'clinic-q', subject: patient, department: 'eye' }),
    bookedRecord({ tenantId: 'clinic-q', department: 'ent' }),
  ];
  const request = signing.sign('records', records);
  await fetch(`${server.url}/ingest`, { method: 'POST', headers: request.headers, body: request.body });
  const cells = ['05', '06', '07'].map((h) =>
    aggregateCell({
      type: 'patient.registered',
      windowStart: `2025-03-04T${h}:00:00.000Z`,
      count: Number(h),
    }),
  );
  const release = signing.sign('aggregates', cells);
  await fetch(`${server.url}/ingest`, { method: 'POST', headers: release.headers, body: release.body });
});
afterAll(async () => {
  await server.close();
});

const get = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('query API over HTTP', () => {
  it('answers counts by tenant, dimension within a tenant, and distinct patients', async () => {
    // Prepare, Act
    const tenants = await get('/api/counts?by=tenant');
    const departments = await get('/api/counts?by=dimension&dimension=department&tenant=clinic-q');
    const distinct = await get('/api/distinct-patients?tenant=clinic-q&day=2025-03-04');
    // Assess
    expect(tenants.body.counts).toEqual([{ key: 'clinic-q', count: 3 }]);
    expect(departments.body.counts).toEqual([
      { key: 'ent', count: 1 },
      { key: 'eye', count: 2 },
    ]);
    expect(distinct.body).toEqual({ tenant: 'clinic-q', day: '2025-03-04', distinctPatients: 2 });
  });

  it('pages an aggregate series from the newest window back, at most limit cells a page', async () => {
    // Prepare, Act
    const newest = await get('/api/aggregates?type=patient.registered&limit=2');
    const rest = await get(`/api/aggregates?type=patient.registered&limit=2&to=${newest.body.nextTo}`);
    const tooMany = await get('/api/aggregates?type=patient.registered&limit=2001');
    // Assess
    expect(newest.body).toMatchObject({ truncated: true, nextTo: '2025-03-04T06:00:00.000Z' });
    expect(newest.body.series).toEqual([
      { windowStart: '2025-03-04T06:00:00.000Z', count: 6 },
      { windowStart: '2025-03-04T07:00:00.000Z', count: 7 },
    ]);
    expect(rest.body).toMatchObject({ truncated: false });
    expect(rest.body.series).toEqual([{ windowStart: '2025-03-04T05:00:00.000Z', count: 5 }]);
    expect(tooMany.status).toBe(400);
  });

  it('answers 400 to a bad query and 404 to an unknown path, and is healthy', async () => {
    // Prepare, Act
    const bad = await get('/api/counts?by=salary');
    const noDimension = await get('/api/counts?by=dimension');
    const missing = await get('/api/nothing');
    const health = await get('/api/health');
    // Assess
    expect(bad.status).toBe(400);
    expect(noDimension.status).toBe(400);
    expect(missing.status).toBe(404);
    expect(health).toEqual({ status: 200, body: { ok: true } });
  });

  it('refuses GET on the ingest and unsigned POSTs', async () => {
    // Prepare, Act
    const getIngest = await fetch(`${server.url}/ingest`);
    const unsigned = await fetch(`${server.url}/ingest`, { method: 'POST', body: '{}' });
    // Assess
    expect(getIngest.status).toBe(405);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ ok: false, reason: 'missing-signature' });
  });

  it('serves the dashboard page with a strict CSP and the bundled chart library', async () => {
    // Prepare, Act
    const page = await fetch(`${server.url}/`);
    const chart = await fetch(`${server.url}/assets/chart.umd.min.js`);
    const unknown = await fetch(`${server.url}/assets/../../package.json`);
    // Assess
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/assets/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect((await chart.text()).length).toBeGreaterThan(50_000);
    expect(unknown.status).toBe(404);
  });
});
