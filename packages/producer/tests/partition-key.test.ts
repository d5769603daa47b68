import { createHash, createHmac } from 'node:crypto';
import { clinicbook, normalizeIdentifier, validateEvent } from '@residency/core';
import { clinicbookEvent } from '@residency/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFakeTransport,
  createPartitionKeyer,
  createProducer,
  type ProducerEvent,
} from '../src/index.ts';
import { archiveDefinition } from './support/catalog.ts';
import { newSecret } from './support/secrets.ts';

// Every value of an identifier field of ClinicBook, raw and normalized.
function identifierValues(event: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const field of ['patientId', 'doctorId', 'appointmentId', 'phone', 'email', 'nationalId'] as const) {
    const raw = event[field];
    if (typeof raw !== 'string') continue;
    values.push(raw);
    const kind = field === 'phone' || field === 'email' || field === 'nationalId' ? field : 'opaque';
    const normalized = normalizeIdentifier(kind, raw, { country: 'BD' });
    if (normalized.ok) values.push(normalized.value);
  }
  return values;
}

const UNKEYED = ['md5', 'sha1', 'sha256', 'sha512'];

describe('partition keys', () => {
  it('never contain an identifier, nor an unkeyed hash of one (property)', () => {
    const keyOf = createPartitionKeyer(newSecret());
    fc.assert(
      fc.property(clinicbookEvent, (event) => {
        // Prepare
        const result = validateEvent(clinicbook, event);
        if (!result.ok) throw result.error;

        // Act
        const key = keyOf(result.event, event.eventId);

        // Assess
        expect(key).toMatch(/^[0-9a-f]{32}$/);
        for (const value of identifierValues(event)) {
          expect(key).not.toContain(value);
          expect(key.toLowerCase()).not.toContain(value.toLowerCase().slice(0, 8));
          for (const algorithm of UNKEYED) {
            for (const input of [value, `patient\u0000${value}`]) {
              const hex = createHash(algorithm).update(input).digest('hex');
              expect(hex.includes(key) || key.includes(hex.slice(0, 16))).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keep one patient on one key, and change with the secret', () => {
    // Prepare
    const secret = newSecret();
    const [a, b] = [createPartitionKeyer(secret), createPartitionKeyer(newSecret())];
    const event = (eventId: string) => {
      const result = validateEvent(clinicbook, {
        type: 'note.added',
        schemaVersion: 1,
        eventId,
        occurredAt: '2026-01-01T00:00:00Z',
        tenantId: 't-1',
        patientId: ' P-42 ',
        doctorId: 'D-1',
        note: 'n',
      });
      if (!result.ok) throw result.error;
      return result.event;
    };
    const [e1, e2] = [
      event('00000000-0000-4000-8000-000000000001'),
      event('00000000-0000-4000-8000-000000000002'),
    ];

    // Act
    const keys = [a(e1, 'x'), a(e2, 'y'), b(e1, 'x')];

    // Assess: the same patient (normalized: trimmed) gives one key; another secret another key.
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[0]).toBe(
      createHmac('sha256', secret).update('patient\u0000t-1/P-42').digest('hex').slice(0, 32),
    );
  });

  it('key events without a subject by their eventId, spreading them', async () => {
    // Prepare
    const transport = createFakeTransport();
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      catalog: archiveDefinition,
      transport,
      partitionKeySecret: newSecret(),
    });

    // Act
    const receipts = [];
    for (let i = 0; i < 3; i++)
      receipts.push(await producer.send({ type: 'archive.pinged', tenantId: 't-1', note: 'hi' }));
    await producer.close();

    // Assess
    expect(transport.records.map((r) => r.partitionKey)).toEqual(receipts.map((r) => r.eventId));
  });

  it('on the wire: records of a ClinicBook burst carry only keyed hashes', async () => {
    // Prepare
    const transport = createFakeTransport();
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      transport,
      partitionKeySecret: newSecret(),
    });
    const events = fc.sample(clinicbookEvent, 200) as ProducerEvent[];

    // Act
    for (const event of events) await producer.send(event);
    await producer.close();

    // Assess
    expect(transport.records).toHaveLength(200);
    for (const [i, record] of transport.records.entries()) {
      expect(record.partitionKey).toMatch(/^[0-9a-f]{32}$/);
      for (const value of identifierValues(events[i] as Record<string, unknown>))
        expect(record.partitionKey).not.toContain(value);
    }
  });
});
