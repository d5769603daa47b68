import { IngestResponseSchema, SIGNED_BATCH_HEADERS, signBatchRequest } from '@residency/border';
import { bookedRecord, newToken } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, type RunningControlPlane, startControlPlaneServer } from '../src/index.ts';
import { testSigner } from './fixtures/signing.ts';

// Hostile batches over HTTP: replays, tampered and re-serialized bodies, bad signature headers,
// and signed content nobody wrote a fixture for. The server's clock is ours, so a replay can
// arrive "later"; its logger is ours, so a test can check that no value reached a log line.
let server: RunningControlPlane;
const signing = testSigner();
let nowMillis = Date.now();
const logged: string[] = [];
const log = (message: string, fields?: Record<string, unknown>) =>
  void logged.push(`${message} ${JSON.stringify(fields ?? {})}`);

beforeAll(async () => {
  server = await startControlPlaneServer({
    publicKeys: signing.publicKeys,
    clock: { nowMillis: () => nowMillis },
    logger: { info: log, warn: log, error: log },
  });
});
afterAll(async () => {
  await server.close();
});

/** Signs like the forwarder, at the server's time. */
const sign = (...[kind, items, options]: Parameters<typeof signing.sign>) =>
  signing.sign(kind, items, { sentAt: new Date(nowMillis).toISOString(), ...options });
type Request = { headers: Record<string, string>; body: Buffer };
const post = async (request: Request) => {
  const response = await fetch(`${server.url}/ingest`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
};
const day = () => new Date(nowMillis).toISOString().slice(0, 10);
/** Runs `act` and returns its result with the alerts it raised (alerts of other tests excluded). */
async function withAlerts<T>(act: () => Promise<T>): Promise<{ result: T; alerts: Alert[] }> {
  const before = new Set((await server.store.listAlerts(day())).map((a) => a.id));
  const result = await act();
  const alerts = (await server.store.listAlerts(day())).filter((a) => !before.has(a.id));
  return { result, alerts };
}
const recordIdsIn = (request: Request) =>
  [...request.body.toString('utf8').matchAll(/"recordId":"([^"]+)"/g)].map((m) => m[1] as string);
const storedOf = async (request: Request) => [...(await server.store.storedRecordIds(recordIdsIn(request)))];
/** A batch of one record whose JSON is `recordJson`, verbatim (JSON.stringify cannot nest 10,000 deep). */
const signRaw = (itemsJson: string, count: number) =>
  signBatchRequest(
    signing.signer,
    { batchId: crypto.randomUUID(), sentAt: new Date(nowMillis).toISOString(), kind: 'records', count },
    itemsJson,
  );

describe('ingest under attack: replays and tampering', () => {
  it('refuses a stored batch replayed after the freshness window (401 stale), storing nothing again', async () => {
    // Prepare
    const batch = sign('records', [bookedRecord()]);
    expect((await post(batch)).status).toBe(200);
    const summary = await server.store.getBatch(batch.batchId);
    nowMillis += 10 * 60_000;
    // Act
    const { result, alerts } = await withAlerts(() => post(batch));
    // Assess
    expect(result).toEqual({ status: 401, text: '{"ok":false,"reason":"stale"}' });
    expect(alerts.map((a) => a.reason)).toEqual(['stale']);
    expect(await server.store.getBatch(batch.batchId)).toEqual(summary);
  });

  it('refuses other items under a stored batch id (409 batch-conflict, alert) instead of acknowledging them', async () => {
    // Prepare: the forwarder's key signs a second batch reusing the first one's id
    const first = sign('records', [bookedRecord()]);
    await post(first);
    const second = sign('records', [bookedRecord(), bookedRecord()], { batchId: first.batchId });
    // Act
    const { result, alerts } = await withAlerts(() => post(second));
    const replay = await post(first);
    // Assess
    expect(result.status).toBe(409);
    expect(JSON.parse(result.text)).toEqual({ ok: false, reason: 'batch-conflict' });
    expect(alerts).toEqual([expect.objectContaining({ reason: 'batch-conflict', batchId: first.batchId })]);
    expect(await storedOf(second)).toEqual([]);
    expect(JSON.parse(replay.text)).toMatchObject({ ok: true, duplicateBatch: true });
  });

  it('refuses the same batch re-serialized (whitespace, key order) under its original signature', async () => {
    // Prepare
    const batch = sign('records', [bookedRecord()]);
    const parsed = JSON.parse(batch.body.toString('utf8')) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(parsed).reverse());
    const variants = [JSON.stringify(parsed, null, 2), JSON.stringify(reordered), `${batch.body} `];
    // Act
    const answers = [];
    for (const text of variants)
      answers.push(await post({ headers: batch.headers, body: Buffer.from(text) }));
    // Assess
    expect(answers.map((a) => a.text)).toEqual(variants.map(() => '{"ok":false,"reason":"bad-signature"}'));
    expect(await storedOf(batch)).toEqual([]);
  });

  it('refuses broken, doubled, foreign and mismatched signature headers with 401 and an alert each', async () => {
    // Prepare
    const batch = sign('records', [bookedRecord()]);
    const foreign = testSigner().signer.sign(batch.body);
    const good = batch.headers[SIGNED_BATCH_HEADERS.signature] as string;
    const { [SIGNED_BATCH_HEADERS.signature]: _dropped, ...unsigned } = batch.headers;
    const cases: Array<[Record<string, string>, string]> = [
      [unsigned, 'missing-signature'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.signature]: good.slice(0, 86) }, 'bad-signature'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.signature]: `${good}AAAA` }, 'bad-signature'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.signature]: `!${good.slice(1)}` }, 'bad-signature'],
      [
        { ...batch.headers, [SIGNED_BATCH_HEADERS.signature]: Buffer.alloc(64).toString('base64') },
        'bad-signature',
      ],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.signature]: foreign }, 'bad-signature'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.keyId]: 'someone-else' }, 'unknown-key'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.batchId]: crypto.randomUUID() }, 'malformed'],
      [{ ...batch.headers, [SIGNED_BATCH_HEADERS.timestamp]: new Date(0).toISOString() }, 'malformed'],
    ];
    // Act
    const { result, alerts } = await withAlerts(async () => {
      const answers = [];
      for (const [headers, _] of cases) answers.push(await post({ headers, body: batch.body }));
      const doubled = new Headers(batch.headers);
      doubled.append(SIGNED_BATCH_HEADERS.signature, good);
      const twice = await fetch(`${server.url}/ingest`, {
        method: 'POST',
        headers: doubled,
        body: batch.body,
      });
      answers.push({ status: twice.status, text: await twice.text() });
      return answers;
    });
    // Assess
    const expected = [...cases.map(([, reason]) => reason), 'bad-signature'];
    expect(result.map((a) => a.status)).toEqual(expected.map(() => 401));
    expect(result.map((a) => JSON.parse(a.text).reason)).toEqual(expected);
    expect(alerts.map((a) => a.reason).sort()).toEqual([...expected].sort());
    expect(await storedOf(batch)).toEqual([]);
  });

  it('refuses a batch signed for a time far in the future (401 future)', async () => {
    // Prepare
    const batch = sign('records', [bookedRecord()], {
      sentAt: new Date(nowMillis + 365 * 86_400_000).toISOString(),
    });
    // Act
    const answer = await post(batch);
    // Assess
    expect(answer).toEqual({ status: 401, text: '{"ok":false,"reason":"future"}' });
    expect(await storedOf(batch)).toEqual([]);
  });

  it('keeps the records of a token against a forged erasure, and refuses a real one replayed later', async () => {
    // Prepare
    const token = newToken();
    const records = sign('records', [bookedRecord({ subject: token })]);
    await post(records);
    const notice = {
      schema: 'residency.erasure.v1',
      noticeId: crypto.randomUUID(),
      erasedAt: new Date(nowMillis).toISOString(),
      tokens: [token],
    };
    const forged = testSigner().sign('erasure', [notice]);
    forged.headers[SIGNED_BATCH_HEADERS.keyId] = signing.pair.keyId;
    const captured = sign('erasure', [notice], { sentAt: new Date(nowMillis - 3_600_000).toISOString() });
    // Act
    const forgedAnswer = await post(forged);
    const replayed = await post(captured);
    // Assess
    expect(JSON.parse(forgedAnswer.text)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(JSON.parse(replayed.text)).toEqual({ ok: false, reason: 'stale' });
    expect(await storedOf(records)).toEqual(recordIdsIn(records));
  });
});

describe('ingest under attack: signed content nobody wrote a fixture for', () => {
  it('refuses unknown keys, __proto__ keys and PII with 422 and an alert, echoing no value anywhere', async () => {
    // Prepare
    const phone = '+8801712345678';
    const items = [
      { ...bookedRecord(), extra: 'canary-unknown-key' },
      JSON.parse(`{"__proto__":{"polluted":"yes"},${JSON.stringify(bookedRecord()).slice(1)}`),
      bookedRecord({ department: `call ${phone}` }),
      { ...bookedRecord(), attributes: { ...bookedRecord().attributes, 'rahim@example.com': 'x' } },
    ];
    const batch = sign('records', items);
    logged.length = 0;
    // Act
    const { result, alerts } = await withAlerts(() => post(batch));
    // Assess
    expect(result.status).toBe(422);
    const body = JSON.parse(result.text);
    expect(body.reason).toBe('pii');
    expect(body.offending.map((o: { index: number }) => o.index)).toEqual([0, 1, 2, 3]);
    expect(alerts).toEqual([expect.objectContaining({ reason: 'pii', batchId: batch.batchId })]);
    expect(await storedOf(batch)).toEqual([]);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    for (const text of [result.text, JSON.stringify(alerts), logged.join('\n')]) {
      for (const value of [phone, '1712345678', 'rahim', 'canary-unknown-key', 'polluted'])
        expect(text).not.toContain(value);
    }
  });

  it('refuses a signed item nested 10,000 deep with 422 (it was a 500, retried forever), and stays up', async () => {
    // Prepare
    const depth = 10_000;
    const record = JSON.stringify(bookedRecord({ department: 'X' }));
    const batch = signRaw(`[${record.replace('"X"', `${'['.repeat(depth)}${']'.repeat(depth)}`)}]`, 1);
    const unsigned = { headers: {}, body: Buffer.from('['.repeat(1_000_000)) };
    // Act
    const { result, alerts } = await withAlerts(() => post(batch));
    const unsignedAnswer = await post(unsigned);
    // Assess
    expect(result.status).toBe(422);
    expect(JSON.parse(result.text).offending).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    expect(unsignedAnswer.status).toBe(401);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('lists at most 1,000 offending items, so the forwarder can read a refusal of 3,000 bad items', async () => {
    // Prepare
    const batch = sign(
      'records',
      Array.from({ length: 3_000 }, () => ({})),
    );
    // Act
    const answer = await post(batch);
    // Assess
    expect(answer.status).toBe(422);
    const parsed = IngestResponseSchema.safeParse(JSON.parse(answer.text));
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ ok: false, reason: 'schema' });
    expect(parsed.success && !parsed.data.ok && parsed.data.offending?.length).toBe(1_000);
  });

  it('keeps the first of two records sharing an id across tenants, with a conflict alert', async () => {
    // Prepare
    const first = bookedRecord({ tenantId: 'clinic-first-1' });
    const collider = { ...bookedRecord({ tenantId: 'clinic-other-2' }), recordId: first.recordId };
    await post(sign('records', [first]));
    // Act
    const { result, alerts } = await withAlerts(() => post(sign('records', [collider])));
    // Assess
    expect(JSON.parse(result.text)).toMatchObject({ ok: true, stored: 0, duplicates: 1 });
    expect(alerts).toEqual([expect.objectContaining({ reason: 'conflict', count: 1 })]);
    expect(await server.store.counts('tenant', { tenant: 'clinic-other-2' })).toEqual([]);
    const kept = [];
    for await (const row of server.store.exportAll())
      if (row.kind === 'record' && row.record.recordId === first.recordId) kept.push(row.record);
    expect(kept).toEqual([first]);
  });
});
