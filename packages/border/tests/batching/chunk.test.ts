import { randomUUID } from 'node:crypto';
import type { OutboxMessage } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { batchIdFor } from '../../src/batching/batch-id.ts';
import { chunkMessages, type PassedMessage } from '../../src/batching/chunk.ts';

const record = (n: number): OutboxMessage => ({
  kind: 'record',
  record: {
    schema: 'residency.outbound.v1',
    recordId: randomUUID(),
    catalog: 'clinicbook',
    type: 'appointment.cancelled',
    schemaVersion: 1,
    tenantId: 'clinic-1',
    occurredHour: '2025-01-01T10:00Z',
    subject: 'pat_0123456789ABCDEFGHJKMNPQRS',
    tokens: {},
    attributes: { cancelledBy: n % 2 ? 'patient' : 'clinic' },
  },
});
const erasure = (): OutboxMessage => ({
  kind: 'erasure',
  erasure: {
    schema: 'residency.erasure.v1',
    noticeId: randomUUID(),
    erasedAt: '2025-01-01T10:00:00Z',
    tokens: ['pat_0123456789ABCDEFGHJKMNPQRS'],
  },
});

const passed = (messages: OutboxMessage[]): PassedMessage[] =>
  messages.map((message, index) => ({ index, message }));

describe('chunkMessages', () => {
  it('cuts runs of one kind in stream order, so an erasure never overtakes a record', () => {
    // Prepare
    const messages = passed([record(1), record(2), erasure(), record(3)]);
    // Act
    const chunks = chunkMessages(messages);
    // Assess
    expect(chunks.map((c) => [c.kind, c.indexes])).toEqual([
      ['records', [0, 1]],
      ['erasure', [2]],
      ['records', [3]],
    ]);
    expect(JSON.parse(chunks[0]!.body)).toEqual(chunks[0]!.items);
  });

  it("names each item by its own id (record id, notice id), in the batch's order", () => {
    // Prepare
    const messages = passed([record(1), record(2), erasure()]);
    // Act
    const chunks = chunkMessages(messages);
    // Assess
    const idOf = (m: OutboxMessage) =>
      m.kind === 'record' ? m.record.recordId : m.kind === 'erasure' ? m.erasure.noticeId : '';
    expect(chunks.map((c) => c.ids)).toEqual([
      [idOf(messages[0]!.message), idOf(messages[1]!.message)],
      [idOf(messages[2]!.message)],
    ]);
  });

  it('respects maxItems and maxBatchBytes', () => {
    // Prepare
    const messages = passed(Array.from({ length: 10 }, (_, n) => record(n)));
    const one = Buffer.byteLength(JSON.stringify((messages[0]!.message as { record: unknown }).record));
    // Act
    const byCount = chunkMessages(messages, { maxItems: 4 });
    const byBytes = chunkMessages(messages, { maxBatchBytes: one * 3 + 10 });
    // Assess
    expect(byCount.map((c) => c.items.length)).toEqual([4, 4, 2]);
    expect(byBytes.every((c) => Buffer.byteLength(c.body) <= one * 3 + 10)).toBe(true);
    expect(byBytes.flatMap((c) => c.indexes)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('batchIdFor', () => {
  it('is stable for the same content and differs for different content', () => {
    // Prepare
    const [a] = chunkMessages(passed([record(1), record(2)]));
    const [b] = chunkMessages(passed([record(1)]));
    // Act
    const first = batchIdFor('records', a!.body);
    const again = batchIdFor('records', a!.body);
    const other = batchIdFor('records', b!.body);
    // Assess
    expect(first).toBe(again);
    expect(first).not.toBe(other);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(batchIdFor('erasure', a!.body)).not.toBe(first);
  });
});
