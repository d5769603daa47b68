import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutboundRecord } from '@residency/core';
import { bookedRecord, kinesisEvent, recordMessage } from '@residency/testing/outbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEgressTransport,
  createForwarder,
  createInMemoryEgressLog,
  createInMemoryQuarantine,
  createSigningSealer,
  type ForwarderLogger,
  generateSigningKeyPair,
  type OffendingItem,
} from '../src/index.ts';
import { startRawServer } from './support/raw-server.ts';
import { type CountingServer, startCountingServer } from './transport/servers.ts';

// A control plane, or something on its port, that answers what nobody wrote a fixture for: success
// claimed for items it did not take, wrong schemas, odd statuses, and answers that echo record
// content. Over real loopback http. Nothing may count as delivered unless it was, and nothing the
// answer says may carry record content into the egress log, the quarantine or the logs.

const signingKey = generateSigningKeyPair();
const servers: CountingServer[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** What the fake control plane sees of one request, and how it answers. */
type Answer = (batch: { batchId: string; body: string; count: number }) => { status: number; body: string };

async function forwarderAgainst(answer: Answer) {
  const server = await startCountingServer((req: IncomingMessage, res: ServerResponse, body: string) => {
    const batchId = String(req.headers['x-residency-batch-id'] ?? '');
    const items = (JSON.parse(body) as { body?: unknown[] }).body ?? [];
    const { status, body: text } = answer({ batchId, body, count: items.length });
    res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  });
  servers.push(server);
  const transport = createEgressTransport({
    allowedOrigins: [server.url],
    localMode: true,
    timeoutMillis: 2_000,
  });
  closers.push(() => transport.close());
  const egressLog = createInMemoryEgressLog();
  const quarantine = createInMemoryQuarantine();
  const logged: unknown[] = [];
  const logger: ForwarderLogger = {
    info: (message, fields) => logged.push(message, fields),
    warn: (message, fields) => logged.push(message, fields),
    error: (message, fields) => logged.push(message, fields),
  };
  const forwarder = createForwarder({
    transport,
    origin: server.url,
    sealer: createSigningSealer({ privateKey: signingKey.privateKeyPem }),
    egressLog,
    quarantine,
    logger,
    sendBudgetMillis: 150,
    retry: { baseDelayMillis: 5, maxDelayMillis: 10 },
  });
  return { forwarder, server, egressLog, quarantine, logged };
}

const json = (status: number, value: unknown) => ({ status, body: JSON.stringify(value) });
const ack = (batchId: string, stored: number, duplicates = 0, duplicateBatch = false) =>
  json(200, { ok: true, batchId, stored, duplicates, duplicateBatch });

/** Every string an outbound record carries that is not its id: tokens, tenant, attribute values. */
function contentOf(record: OutboundRecord): string[] {
  const values = [record.subject, record.tenantId, ...Object.values(record.tokens)];
  return values.filter((value): value is string => typeof value === 'string' && value.length >= 6);
}

function expectNoContent(stored: unknown, records: OutboundRecord[]) {
  const text = JSON.stringify(stored);
  for (const value of records.flatMap(contentOf)) expect(text).not.toContain(value);
  expect(text).not.toMatch(/alice@example\.com|hunter2/);
}

describe('adversarial forwarder: success claimed for what was not stored', () => {
  it.each<[string, Answer]>([
    ['stored nothing', ({ batchId }) => ack(batchId, 0)],
    ['stored one of three', ({ batchId }) => ack(batchId, 1)],
    ['stored more than it was sent', ({ batchId }) => ack(batchId, 300)],
    ['a duplicate batch of fewer items', ({ batchId }) => ack(batchId, 0, 1, true)],
    ['another batch id', () => ack('00000000-0000-8000-8000-000000000000', 3)],
  ])('does not count a batch as delivered when the answer claims %s', async (_name, answer) => {
    // Prepare
    const { forwarder, egressLog } = await forwarderAgainst(answer);
    // Act
    const report = await forwarder.process(
      kinesisEvent([bookedRecord(), bookedRecord(), bookedRecord()].map(recordMessage)),
    );
    // Assess: the records wait in the stream, and the audit log says the batch did not land
    expect(report.forwarded).toBe(0);
    expect(report.response.batchItemFailures).toHaveLength(3);
    expect(egressLog.entries).toEqual([expect.objectContaining({ status: 'failed', count: 3 })]);
  });

  it('acknowledges an answer whose counts add up, a full duplicate included (the control)', async () => {
    // Prepare
    let call = 0;
    const { forwarder, egressLog } = await forwarderAgainst(({ batchId, count }) =>
      call++ === 0 ? ack(batchId, count) : ack(batchId, 0, count, true),
    );
    const event = kinesisEvent([bookedRecord(), bookedRecord()].map(recordMessage));
    // Act
    const first = await forwarder.process(event);
    const again = await forwarder.process(event);
    // Assess
    expect([first.forwarded, again.forwarded]).toEqual([2, 2]);
    expect(egressLog.entries.map((entry) => entry.status)).toEqual(['acknowledged', 'acknowledged']);
  });
});

describe('adversarial forwarder: answers that are no answer', () => {
  it.each<[string, Answer]>([
    ['malformed JSON', () => ({ status: 200, body: '{"ok":true,' })],
    ['an HTML page', () => ({ status: 200, body: '<html>ok</html>' })],
    [
      'counts as strings',
      ({ batchId }) => json(200, { ok: true, batchId, stored: '1', duplicates: 0, duplicateBatch: false }),
    ],
    [
      'negative counts',
      ({ batchId }) => json(200, { ok: true, batchId, stored: 4, duplicates: -1, duplicateBatch: false }),
    ],
    [
      'ok: "true"',
      ({ batchId }) => json(200, { ok: 'true', batchId, stored: 3, duplicates: 0, duplicateBatch: false }),
    ],
    ['a bare true', () => ({ status: 200, body: 'true' })],
    ['a success body on 500', ({ batchId }) => ({ status: 500, body: ack(batchId, 3).body })],
    [
      'a success body on 201 with a prototype key',
      ({ batchId }) => ({ status: 201, body: `{"__proto__":{"ok":true},"batchId":"${batchId}"}` }),
    ],
    ['204 No Content', () => ({ status: 204, body: '' })],
    ['418', () => ({ status: 418, body: '' })],
    ['599', () => ({ status: 599, body: '{}' })],
    [
      'a content refusal on 500',
      () => json(500, { ok: false, reason: 'pii', offending: [{ index: 0, reason: 'pii', paths: ['$'] }] }),
    ],
  ])('fails the batch, nothing acknowledged or quarantined, on %s', async (_name, answer) => {
    // Prepare
    const { forwarder, egressLog, quarantine } = await forwarderAgainst(answer);
    // Act
    const report = await forwarder.process(
      kinesisEvent([bookedRecord(), bookedRecord(), bookedRecord()].map(recordMessage)),
    );
    // Assess
    expect(report.response.batchItemFailures).toHaveLength(3);
    expect(egressLog.entries).toEqual([expect.objectContaining({ status: 'failed' })]);
    expect(quarantine.entries.size).toBe(0);
  });
});

describe('adversarial forwarder: answers that echo record content', () => {
  it('keeps a refusal reason that is not a code out of the egress log and the logs', async () => {
    // Prepare: the reason field carries the first record's subject token, or an email
    const records = [bookedRecord(), bookedRecord()];
    let call = 0;
    const { forwarder, egressLog, logged } = await forwarderAgainst(() =>
      json(403, { ok: false, reason: call++ % 2 === 0 ? records[0]!.subject : 'bad alice@example.com' }),
    );
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess
    expect(report.response.batchItemFailures).toHaveLength(2);
    expect(egressLog.entries[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^http 403/),
    });
    expectNoContent(egressLog.entries, records);
    expectNoContent(logged, records);
  });

  it('still records a refusal code as it is', async () => {
    // Prepare
    const { forwarder, egressLog } = await forwarderAgainst(() =>
      json(401, { ok: false, reason: 'bad-signature' }),
    );
    // Act
    await forwarder.process(kinesisEvent([recordMessage(bookedRecord())]));
    // Assess
    expect(egressLog.entries[0]).toMatchObject({ status: 'failed', reason: 'http 401 bad-signature' });
  });

  it('keeps offending paths and rules that carry content out of the quarantine', async () => {
    // Prepare: a content refusal whose paths and rules echo values of the record
    const records = [bookedRecord(), bookedRecord()];
    const subject = records[0]!.subject ?? '';
    const offending: OffendingItem[] = [
      {
        index: 0,
        reason: 'pii',
        rules: ['email', 'alice@example.com', subject.slice(0, 32)],
        paths: [
          '$.attributes.department',
          `$.tokens["${subject}"]`,
          '$.alice@example.com',
          '$.ABCPE1234F',
          '$[key#2]',
        ],
      },
    ];
    let call = 0;
    const { forwarder, quarantine, egressLog, logged } = await forwarderAgainst(({ batchId, count }) =>
      call++ === 0 ? json(422, { ok: false, reason: 'pii', offending }) : ack(batchId, count),
    );
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess: the offending record is held in region with what could be kept, the other one sent
    expect([report.quarantined, report.forwarded]).toEqual([1, 1]);
    const [entry] = [...quarantine.entries.values()];
    expect(entry).toMatchObject({ reason: 'rejected:pii', recordId: records[0]!.recordId });
    expect(entry!.rules).toContain('email');
    expect(entry!.paths).toContain('$.attributes.department');
    expect(entry!.paths).toContain('$[key#2]');
    expectNoContent([...quarantine.entries.values()], records);
    expect(JSON.stringify([...quarantine.entries.values()])).not.toContain('ABCPE1234F');
    expectNoContent(egressLog.entries, records);
    expectNoContent(logged, records);
  });

  it('keeps an echoed request body out of everything it stores', async () => {
    // Prepare: every answer is the signed request body itself, under a status that varies
    const records = [bookedRecord(), bookedRecord()];
    const statuses = [500, 200, 400, 422, 302];
    let call = 0;
    const { forwarder, egressLog, quarantine, logged } = await forwarderAgainst(({ body }) => ({
      status: statuses[call++ % statuses.length]!,
      body,
    }));
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess
    expect(report.response.batchItemFailures).toHaveLength(2);
    expect(call).toBeGreaterThan(1);
    expectNoContent(egressLog.entries, records);
    expectNoContent(logged, records);
    expect(quarantine.entries.size).toBe(0);
  });
});

describe('adversarial forwarder: a control plane that never answers', () => {
  it('gives the attempt up by the deadline, however long the transport would wait', async () => {
    // Prepare: a peer that takes the request and stays silent; the transport alone would wait 10 s
    const silent = await startRawServer(() => undefined);
    closers.push(() => void silent.close());
    const transport = createEgressTransport({
      allowedOrigins: [silent.url],
      localMode: true,
      timeoutMillis: 10_000,
    });
    closers.push(() => transport.close());
    const egressLog = createInMemoryEgressLog();
    const forwarder = createForwarder({
      transport,
      origin: silent.url,
      sealer: createSigningSealer({ privateKey: signingKey.privateKeyPem }),
      egressLog,
      quarantine: createInMemoryQuarantine(),
      deadlineMarginMillis: 500,
    });
    const started = Date.now();
    // Act: 1.5 s left in the invocation, so 1 s to send
    const report = await forwarder.process(kinesisEvent([recordMessage(bookedRecord())]), {
      getRemainingTimeInMillis: () => 1_500,
    });
    // Assess: answered before the Lambda's end, the batch on record as failed, the record waiting
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(report.response.batchItemFailures).toHaveLength(1);
    expect(egressLog.entries).toEqual([
      expect.objectContaining({ status: 'failed', reason: expect.stringContaining('timed out') }),
    ]);
  });
});
