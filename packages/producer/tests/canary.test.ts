import {
  clinicbook,
  normalizeEmail,
  normalizeNationalId,
  normalizePhone,
  validateEvent,
} from '@residency/core';
import { clinicbookEvent } from '@residency/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CanaryIdentity,
  ConfigurationError,
  canaryIdentity,
  clinicbookCanary,
  createCanaryDetector,
  createFakeTransport,
  createProducer,
  isCanary,
  type ProducerEvent,
} from '../src/index.ts';
import { archiveDefinition } from './support/catalog.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';

describe('canaries', () => {
  it('are valid patient.registered events, seeded every N events and recognisable on the stream', async () => {
    // Prepare
    const secret = newSecret();
    const transport = createFakeTransport();
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      transport,
      partitionKeySecret: newSecret(),
      canaries: { secret, everyNEvents: 10 },
    });
    const detector = createCanaryDetector(secret);

    // Act
    for (const event of makeEvents(100, 20)) await producer.send(event);
    const report = await producer.close();

    // Assess
    expect(report).toEqual({ sent: 110, failed: [] });
    expect(producer.counters()).toMatchObject({ canaries: 10, accepted: 110 });
    const texts = transport.records.map((r) => Buffer.from(r.data).toString());
    const canaries = texts.filter((text) => detector.test(text));
    expect(canaries).toHaveLength(10);
    for (const text of canaries) {
      const event = JSON.parse(text) as Record<string, unknown>;
      expect(event).toMatchObject({ type: 'patient.registered', tenantId: 'residency-canary' });
      expect(new Set(detector.find(text).map((m) => m.kind))).toEqual(
        new Set(['patientId', 'phone', 'email', 'nationalId']),
      );
    }
  });

  it('are recognised raw, normalized, and inside other text; not with another secret', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 48n }), (counter) => {
        // Prepare
        const secret = newSecret();
        const identity = canaryIdentity(secret, counter);
        const detector = createCanaryDetector(secret);
        const phone = normalizePhone(identity.phone, 'IN');
        const email = normalizeEmail(identity.email.toUpperCase());
        const nid = normalizeNationalId(identity.nationalId);
        const national = identity.phone.replace('+880', '0');
        const spaced = `${national.slice(0, 5)}-${national.slice(5)}`;

        // Act / Assess
        expect(validateEvent(clinicbook, { ...clinicbookCanary(identity, 'c-1'), ...envelope }).ok).toBe(
          true,
        );
        for (const value of [
          identity.patientId,
          identity.phone,
          identity.email,
          identity.nationalId,
          spaced,
        ]) {
          expect(detector.test(`log: user=${value}; done`)).toBe(true);
        }
        for (const normalized of [phone, email, nid]) {
          expect(normalized.ok && detector.test(JSON.stringify({ value: normalized.value }))).toBe(true);
        }
        expect(isCanary(identity.nationalId, newSecret())).toBe(false);
        expect(isCanary(identity.email, newSecret())).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('are not found in ordinary events', () => {
    // Prepare
    const detector = createCanaryDetector(newSecret());

    // Act
    const hits = fc.sample(clinicbookEvent, 2_000).filter((event) => detector.test(JSON.stringify(event)));

    // Assess
    expect(hits).toEqual([]);
  });

  it('need a strong secret, one rate, and a builder for catalogs other than ClinicBook', () => {
    const base = {
      streamName: 's',
      region: 'ap-south-1',
      transport: createFakeTransport(),
      partitionKeySecret: newSecret(),
    };
    expect(() => createProducer({ ...base, canaries: { secret: Buffer.alloc(8), everyNEvents: 5 } })).toThrow(
      ConfigurationError,
    );
    expect(() => createProducer({ ...base, canaries: { secret: newSecret() } })).toThrow(ConfigurationError);
    expect(() =>
      createProducer({ ...base, canaries: { secret: newSecret(), everyNEvents: 5, ratePerMillion: 10 } }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createProducer({
        ...base,
        catalog: archiveDefinition,
        canaries: { secret: newSecret(), everyNEvents: 5 },
      }),
    ).toThrow(ConfigurationError);
    const build = (identity: CanaryIdentity, tenantId: string): ProducerEvent<typeof archiveDefinition> => ({
      type: 'document.archived',
      tenantId,
      ownerId: identity.patientId,
      body: identity.phone,
      format: 'txt',
    });
    const broken = (identity: CanaryIdentity, tenantId: string) =>
      ({ ...build(identity, tenantId), format: 'docx' }) as never;
    const archive = { ...base, catalog: archiveDefinition };
    expect(() =>
      createProducer({ ...archive, canaries: { secret: newSecret(), ratePerMillion: 100, build } }),
    ).not.toThrow();
    expect(() =>
      createProducer({ ...archive, canaries: { secret: newSecret(), ratePerMillion: 100, build: broken } }),
    ).toThrow(ConfigurationError);
  });
});

const envelope = {
  eventId: '6f1c1f5e-7a3e-4d0b-9d55-2b1f3f6f0a11',
  occurredAt: '2026-01-01T00:00:00Z',
  schemaVersion: 1,
};
