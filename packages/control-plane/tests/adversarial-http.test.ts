import { gzipSync } from 'node:zlib';
import { bookedRecord } from '@residency/testing/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, type RunningControlPlane, startControlPlaneServer } from '../src/index.ts';
import { head, rawJsonBody, rawRequest } from './fixtures/raw-http.ts';
import { testSigner } from './fixtures/signing.ts';

// Hostile bytes on the wire, below any HTTP client: request targets, lengths, encodings, timing.
// One server for the file, on loopback at a free port, with short timeouts so slow clients are
// cut off within the test (the defaults are 10 s for headers and 30 s for a request).
let server: RunningControlPlane;
const signing = testSigner();
const HEADERS_TIMEOUT_MILLIS = 500;
const REQUEST_TIMEOUT_MILLIS = 1_000;

beforeAll(async () => {
  server = await startControlPlaneServer({
    publicKeys: signing.publicKeys,
    headersTimeoutMillis: HEADERS_TIMEOUT_MILLIS,
    requestTimeoutMillis: REQUEST_TIMEOUT_MILLIS,
  });
});
afterAll(async () => {
  await server.close();
});

const healthy = async () => (await fetch(`${server.url}/api/health`)).status === 200;
const send = (parts: Iterable<string | Buffer>, waitMillis?: number) =>
  rawRequest(server.port, parts, waitMillis === undefined ? {} : { waitMillis });
const close = { connection: 'close' };

describe('control-plane server: request targets', () => {
  it('answers 400 to targets that are not a path, and stays up (http://[ used to crash the process)', async () => {
    // Prepare
    const targets = ['http://[', 'http://a:b@[::1', '*', 'http://evil.example/', 'api/health'];
    // Act
    const answers = [];
    for (const target of targets) answers.push(await send([head(`GET ${target} HTTP/1.1`, close)]));
    // Assess
    expect(answers.map((a) => a.status)).toEqual(targets.map(() => 400));
    expect(await healthy()).toBe(true);
  });

  it('reads //x as the path //x, never as a host: // is not the dashboard, //ingest is not the ingest', async () => {
    // Prepare
    const batch = signing.sign('records', [bookedRecord()]);
    // Act
    const root = await send([head('GET // HTTP/1.1', close)]);
    const records = await send([head('GET //records HTTP/1.1', close)]);
    const ingest = await send([
      head('POST //ingest HTTP/1.1', { ...batch.headers, 'content-length': batch.body.length, ...close }),
      batch.body,
    ]);
    // Assess
    expect([root.status, records.status, ingest.status]).toEqual([404, 404, 404]);
    expect(root.response).not.toContain('<html');
    expect((await server.store.getBatch(batch.batchId)) ?? null).toBeNull();
  });

  it('does not decode or climb out of paths: encoded names, dot segments and traversal find nothing', async () => {
    // Prepare
    const paths = [
      '/api/%63ounts?by=tenant',
      '/api/counts%3fby=tenant',
      '/records/../admin',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/chart.umd.min.js%00.css',
      '/api/health/',
    ];
    // Act
    const answers = [];
    for (const path of paths) answers.push(await send([head(`GET ${path} HTTP/1.1`, close)]));
    // Assess
    expect(answers.map((a) => a.status)).toEqual(paths.map(() => 404));
    for (const answer of answers) expect(answer.response).not.toContain('"name"');
  });

  it('answers 405 with Allow to other methods, HEAD without a body, and TRACE without echoing', async () => {
    // Prepare
    const secret = 'x-residency-signature: do-not-echo-me';
    // Act
    const options = await send([head('OPTIONS /ingest HTTP/1.1', close)]);
    const getIngest = await send([head('GET /ingest HTTP/1.1', close)]);
    const put = await send([head('PUT /api/counts HTTP/1.1', { 'content-length': 0, ...close })]);
    const trace = await send([`TRACE / HTTP/1.1\r\nhost: x\r\n${secret}\r\nconnection: close\r\n\r\n`]);
    const headPage = await send([head('HEAD / HTTP/1.1', close)]);
    // Assess
    expect([options.status, getIngest.status, put.status, trace.status]).toEqual([405, 405, 405, 405]);
    expect(options.response.toLowerCase()).toContain('allow: post\r\n');
    expect(put.response.toLowerCase()).toContain('allow: get, head\r\n');
    expect(trace.response).not.toContain('do-not-echo-me');
    expect(headPage.status).toBe(200);
    expect(headPage.response).not.toContain('<html');
  });

  it('refuses a 20 KB query string with 431 and stays up', async () => {
    // Prepare
    const query = `by=tenant&pad=${'a'.repeat(20_000)}`;
    // Act
    const answer = await send([head(`GET /api/counts?${query} HTTP/1.1`, close)]);
    // Assess
    expect(answer.status).toBe(431);
    expect(await healthy()).toBe(true);
  });
});

describe('control-plane server: bodies', () => {
  it('answers 413 from content-length alone, before any of the body is sent', async () => {
    // Prepare: 1 GiB announced, nothing sent
    const announce = head('POST /ingest HTTP/1.1', { 'content-length': 1024 ** 3 });
    // Act
    const answer = await send([announce], 2_000);
    // Assess
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    expect(answer.millis).toBeLessThan(1_500);
  });

  it('answers 413 as soon as a chunked body passes the limit, not when (if ever) it ends', async () => {
    // Prepare: 9 MiB in 64 KiB chunks, then nothing (no last chunk: the body never ends)
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    function* body() {
      yield head('POST /ingest HTTP/1.1', { 'transfer-encoding': 'chunked' });
      for (let sent = 0; sent < 9 * 1024 * 1024; sent += chunk.length)
        yield Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    }
    // Act
    const answer = await send(body(), 2_500);
    // Assess
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    expect(await healthy()).toBe(true);
  });

  it('cuts off a 256 MiB body instead of reading it all', async () => {
    // Prepare
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const total = 256 * chunk.length;
    function* body() {
      yield head('POST /ingest HTTP/1.1', { 'transfer-encoding': 'chunked' });
      for (let sent = 0; sent < total; sent += chunk.length)
        yield Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    }
    // Act
    const answer = await send(body(), 10_000);
    // Assess: the server hung up long before the client could push it all
    expect(answer.closed).toBe(true);
    expect(answer.written).toBeLessThan(total / 4);
    expect(answer.written).toBeGreaterThan(MAX_REQUEST_BYTES / 2);
  });

  it('stores nothing from a body shorter than its content-length says, and cuts the client off', async () => {
    // Prepare: a valid batch, announced 100 bytes longer than it is
    const batch = signing.sign('records', [bookedRecord()]);
    const lying = head('POST /ingest HTTP/1.1', {
      ...batch.headers,
      'content-length': batch.body.length + 100,
    });
    // Act
    const answer = await send([lying, batch.body], 3_000);
    // Assess: 408 once the request timeout passes, nothing stored
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
    expect(answer.millis).toBeLessThan(REQUEST_TIMEOUT_MILLIS + 1_500);
    expect((await server.store.getBatch(batch.batchId)) ?? null).toBeNull();
  });

  it('reads only content-length bytes when more are sent: a cut batch fails its signature, the rest is no request', async () => {
    // Prepare
    const batch = signing.sign('records', [bookedRecord()]);
    const short = head('POST /ingest HTTP/1.1', {
      ...batch.headers,
      'content-length': batch.body.length - 10,
    });
    // Act
    const answer = await send([short, batch.body], 2_000);
    // Assess: Node answers 400 to the leftover bytes (and may cut the 401 off with the connection)
    expect([400, 401]).toContain(answer.status);
    expect(answer.response).not.toMatch(/HTTP\/1\.1 200/);
    expect(await healthy()).toBe(true);
    expect((await server.store.getBatch(batch.batchId)) ?? null).toBeNull();
  });

  it('refuses a request with both content-length and transfer-encoding (smuggling) with 400', async () => {
    // Prepare
    const batch = signing.sign('records', [bookedRecord()]);
    const both = head('POST /ingest HTTP/1.1', {
      ...batch.headers,
      'content-length': batch.body.length,
      'transfer-encoding': 'chunked',
    });
    // Act
    const answer = await send([both, batch.body], 2_000);
    // Assess
    expect(answer.status).toBe(400);
    expect((await server.store.getBatch(batch.batchId)) ?? null).toBeNull();
  });

  it('accepts a signed batch sent chunked: the bytes verified are the bytes sent', async () => {
    // Prepare
    const batch = signing.sign('records', [bookedRecord()]);
    const half = Math.floor(batch.body.length / 2);
    const parts = [batch.body.subarray(0, half), batch.body.subarray(half)].map((part) =>
      Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]),
    );
    // Act
    const answer = await send([
      head('POST /ingest HTTP/1.1', { ...batch.headers, 'transfer-encoding': 'chunked', ...close }),
      ...parts,
      '0\r\n\r\n',
    ]);
    // Assess
    expect(answer.status).toBe(200);
    expect(rawJsonBody(answer)).toMatchObject({ ok: true, stored: 1 });
  });

  it('never inflates a gzip bomb: it is refused as the bytes it is, at once', async () => {
    // Prepare: 64 MiB of zeros in about 64 KB, under a valid signature over the compressed bytes
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const signed = signing.sign('records', [bookedRecord()]);
    const signature = signing.signer.sign(bomb);
    const headers = { ...signed.headers, 'x-residency-signature': signature, 'content-encoding': 'gzip' };
    // Act
    const started = Date.now();
    const response = await fetch(`${server.url}/ingest`, { method: 'POST', headers, body: bomb });
    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ ok: false, reason: 'malformed' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('control-plane server: slow clients', () => {
  it('cuts off a client trickling headers (slowloris) with 408 once the headers timeout passes', async () => {
    // Prepare
    function* trickle() {
      yield 'GET /api/health HTTP/1.1\r\nhost: x\r\n';
      for (let i = 0; ; i++) yield `x-pad-${i}: y\r\n`;
    }
    // Act
    const answer = await rawRequest(server.port, trickle(), { gapMillis: 100, waitMillis: 4_000 });
    // Assess
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(408);
    expect(answer.millis).toBeLessThan(HEADERS_TIMEOUT_MILLIS + 2_000);
  });

  it('cuts off a client trickling a body with 408 once the request timeout passes', async () => {
    // Prepare
    function* trickle() {
      yield head('POST /ingest HTTP/1.1', { 'content-length': 100_000 });
      for (;;) yield 'a';
    }
    // Act
    const answer = await rawRequest(server.port, trickle(), { gapMillis: 100, waitMillis: 5_000 });
    // Assess
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(408);
    expect(answer.millis).toBeLessThan(REQUEST_TIMEOUT_MILLIS + 2_000);
    expect(await healthy()).toBe(true);
  });
});
