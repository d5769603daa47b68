import { describe, expect, it } from 'vitest';
import {
  createFakeTransport,
  createProducer,
  EventValidationError,
  type ProducerEvent,
  RecordTooLargeError,
} from '../src/index.ts';
import { archiveDefinition } from './support/catalog.ts';
import { newSecret } from './support/secrets.ts';

const producerWithFake = () => {
  const transport = createFakeTransport();
  const producer = createProducer({
    streamName: 's',
    region: 'ap-south-1',
    transport,
    partitionKeySecret: newSecret(),
  });
  return { transport, producer };
};

// Values nobody would write in an error message by accident.
const PHONE = '+880-SECRET-PHONE-4711';
const EMAIL = 'secret.person.4711@@example';
const NATIONAL_ID = '12-SECRET-99';

describe('producer send() validation', () => {
  it('refuses an invalid event with the field names and reasons, never the values', async () => {
    // Prepare
    const { producer, transport } = producerWithFake();
    const event = {
      type: 'patient.registered',
      tenantId: 'dhk-mirpur-01',
      patientId: 'P-0004711',
      phone: PHONE,
      email: EMAIL,
      nationalId: NATIONAL_ID,
      name: 'Rahima Secretname',
      address: 'House 4711, Secret Road',
      dateOfBirth: '1984-13-45',
      gender: 'unknown-gender-value',
      district: 'Dhaka',
    } as unknown as ProducerEvent;

    // Act
    const error = await producer.send(event).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EventValidationError);
    const issues = (error as EventValidationError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['dateOfBirth', 'gender']);
    const everything = `${String(error)} ${(error as Error).stack} ${JSON.stringify(error)} ${JSON.stringify(issues)}`;
    for (const value of [
      PHONE,
      EMAIL,
      NATIONAL_ID,
      'Secretname',
      'Secret Road',
      '1984-13-45',
      'unknown-gender-value',
    ]) {
      expect(everything).not.toContain(value);
    }
    expect(producer.counters().accepted).toBe(0);
    await producer.close();
    expect(transport.records).toEqual([]);
  });

  it('refuses identifiers that do not normalize, naming each field', async () => {
    // Prepare
    const { producer } = producerWithFake();
    const event = {
      type: 'patient.registered',
      tenantId: 'dhk-mirpur-01',
      patientId: 'P-0004711',
      phone: '12345',
      email: 'not-an-email',
      name: 'A B',
      address: 'x',
      dateOfBirth: '1984-02-01',
      gender: 'female',
      district: 'Dhaka',
    } as const;

    // Act
    const error = (await producer.send(event).catch((e: unknown) => e)) as EventValidationError;

    // Assess
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([
      ['phone', 'invalid_phone'],
      ['email', 'invalid_email'],
    ]);
    expect(error.message).not.toContain('12345');
    expect(error.message).not.toContain('not-an-email');
    await producer.close();
  });

  it('refuses an unknown type and a missing field, and strips unknown fields from what it sends', async () => {
    // Prepare
    const { producer, transport } = producerWithFake();
    const base = { tenantId: 'dhk-mirpur-01', patientId: 'P-1', doctorId: 'D-1' };

    // Act
    const unknownType = await producer
      .send({ ...base, type: 'note.deleted' } as never)
      .catch((e: unknown) => e);
    const missing = await producer.send({ ...base, type: 'note.added' } as never).catch((e: unknown) => e);
    await producer.send({ ...base, type: 'note.added', note: 'ok', extra: 'must not travel' } as never);
    await producer.close();

    // Assess
    expect((unknownType as EventValidationError).issues).toEqual([
      { path: 'type', code: 'unknown_type', message: 'not an event type of catalog clinicbook' },
    ]);
    expect((missing as EventValidationError).issues.map((i) => i.path)).toEqual(['note']);
    const sent = JSON.parse(Buffer.from(transport.records[0]?.data ?? []).toString()) as Record<
      string,
      unknown
    >;
    expect(sent).not.toHaveProperty('extra');
    expect(sent).toMatchObject({ type: 'note.added', schemaVersion: 1, note: 'ok' });
    expect(sent.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an event over the 1 MiB record limit, naming its size, not its content', async () => {
    // Prepare: a catalog whose document field allows 3 MB.
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      catalog: archiveDefinition,
      transport: createFakeTransport(),
      partitionKeySecret: newSecret(),
    });
    const doc = { type: 'document.archived', tenantId: 't-1', ownerId: 'O-1', format: 'txt' } as const;

    // Act
    const tooBig = await producer.send({ ...doc, body: 'SECRET'.repeat(200_000) }).catch((e: unknown) => e);
    const fits = await producer.send({ ...doc, body: 'x'.repeat(1_000_000) });

    // Assess
    expect(tooBig).toBeInstanceOf(RecordTooLargeError);
    expect((tooBig as RecordTooLargeError).recordBytes).toBeGreaterThan(1_200_000);
    expect((tooBig as Error).message).not.toContain('SECRET');
    expect(fits.eventId).toBeTypeOf('string');
    expect(await producer.close()).toEqual({ sent: 1, failed: [] });
  });
});
