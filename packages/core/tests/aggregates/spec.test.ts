import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AggregateConfigurationError,
  aggregateSpecOf,
  aggregateSpecsOf,
  groupKeyOf,
  isPastLateness,
  observationOf,
  windowKeyOf,
  windowOf,
} from '../../src/aggregates/index.ts';
import { clinicbook } from '../../src/catalogs/clinicbook.ts';
import { compileCatalog, defineCatalog, defineEvent } from '../../src/model/catalog.ts';
import { identifier, publicField } from '../../src/model/classes.ts';

describe('aggregateSpecsOf(clinicbook)', () => {
  it('groups by the public and generalized dimensions the catalog marks, and aggregates waitDays', () => {
    // Act
    const specs = aggregateSpecsOf(clinicbook);

    // Assess
    expect(specs.get('appointment.booked')).toEqual({
      catalog: 'clinicbook',
      type: 'appointment.booked',
      dimensions: ['department', 'channel'],
      metrics: [
        { name: 'waitDays', bounds: [0, 1, 2, 3, 7, 14, 30, 60, 90], lowerBound: 0, upperBound: 3650 },
      ],
    });
    expect(specs.get('patient.registered')?.dimensions).toEqual(['ageBand', 'gender', 'district']);
    expect(specs.get('payment.completed')?.dimensions).toEqual(['amountBucket', 'currency', 'method']);
    expect(specs.get('appointment.cancelled')?.dimensions).toEqual(['cancelledBy']);
    expect(specs.get('note.added')).toMatchObject({ dimensions: [], metrics: [] });
  });

  it('refuses a dimension that could hold free text', () => {
    // Prepare
    const catalog = compileCatalog(
      defineCatalog({
        name: 'bad',
        events: [
          defineEvent({
            type: 'x.happened',
            schemaVersion: 1,
            fields: {
              patientId: identifier(z.string(), {
                kind: 'patient',
                egress: 'token',
                normalizer: 'opaque',
                subject: true,
              }),
              comment: publicField(z.string().max(200), { dimension: true }),
            },
          }),
        ],
      }),
    );

    // Act / Assess
    expect(() => aggregateSpecOf(catalog.get('x.happened', 1)!)).toThrow(AggregateConfigurationError);
  });
});

describe('observationOf', () => {
  it('reads dimensions from the outbound record and leaves out absent ones', () => {
    // Prepare
    const spec = aggregateSpecsOf(clinicbook).get('appointment.booked')!;
    const record = {
      schema: 'residency.outbound.v1' as const,
      recordId: '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
      catalog: 'clinicbook',
      type: 'appointment.booked',
      schemaVersion: 1,
      tenantId: 'dhk-mirpur-01',
      occurredHour: '2026-03-01T10:00Z',
      subject: 'pat_00000000000000000000000001',
      tokens: {},
      attributes: { department: 'cardiology', waitDays: 4, slotStartHour: '2026-03-02T09:00Z' },
    };

    // Act
    const observation = observationOf(spec, {
      record,
      occurredAtMillis: Date.parse('2026-03-01T10:00:42Z'),
      sequenceNumber: '42',
      windowSeconds: 60,
    });

    // Assess
    expect(observation).toEqual({
      sequenceNumber: '42',
      eventId: record.recordId,
      window: { startMillis: Date.parse('2026-03-01T10:00:00Z'), seconds: 60 },
      group: {
        catalog: 'clinicbook',
        type: 'appointment.booked',
        tenantId: 'dhk-mirpur-01',
        dimensions: { department: 'cardiology' },
      },
      subject: 'pat_00000000000000000000000001',
      metrics: { waitDays: { value: 4, bounds: [0, 1, 2, 3, 7, 14, 30, 60, 90] } },
    });
  });
});

describe('groupKeyOf', () => {
  // The key is JSON of [catalog, type, tenant, [[name, value], ...] sorted by name]: the ingest
  // builds it by hand for every event, so it must stay exactly this, for any names and values.
  const canonical = (group: {
    catalog: string;
    type: string;
    tenantId: string;
    dimensions: Record<string, string>;
  }) =>
    JSON.stringify([
      group.catalog,
      group.type,
      group.tenantId,
      Object.entries(group.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ]);

  it('is the canonical JSON of the group, whatever the order and content of its dimensions', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.dictionary(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' })),
        (catalog, type, tenantId, dimensions) => {
          const reversed = Object.fromEntries(Object.entries(dimensions).reverse());
          const group = { catalog, type, tenantId, dimensions };
          expect(groupKeyOf(group)).toBe(canonical(group));
          expect(groupKeyOf({ ...group, dimensions: reversed })).toBe(canonical(group));
        },
      ),
    );
  });

  it('is the same for the group of an observation, which the ingest keys as it builds it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...aggregateSpecsOf(clinicbook).values()),
        fc.string(),
        fc.array(fc.string({ unit: 'binary' }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (spec, tenantId, values, present) => {
          const attributes: Record<string, string> = {};
          spec.dimensions.forEach((name, i) => {
            if (present[i % 3]) attributes[name] = values[i % 3] as string;
          });
          const observation = observationOf(spec, {
            record: {
              schema: 'residency.outbound.v1',
              recordId: '7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f',
              catalog: spec.catalog,
              type: spec.type,
              schemaVersion: 1,
              tenantId,
              occurredHour: '2026-03-01T10:00Z',
              tokens: {},
              attributes,
            },
            occurredAtMillis: Date.parse('2026-03-01T10:00:42Z'),
            sequenceNumber: '1',
            windowSeconds: 60,
          });
          expect(groupKeyOf(observation.group)).toBe(canonical(observation.group));
          expect(Object.keys(observation.group.dimensions).length).toBe(
            spec.dimensions.filter((_, i) => present[i % 3]).length,
          );
        },
      ),
    );
  });
});

describe('windows', () => {
  it('are aligned tumbling windows; lateness counts from the end', () => {
    const window = windowOf(Date.parse('2026-03-01T10:00:59.999Z'), 60);
    expect(windowKeyOf(window)).toBe('2026-03-01T10:00:00.000Z#60');
    expect(isPastLateness(window, 120, Date.parse('2026-03-01T10:02:59.999Z'))).toBe(false);
    expect(isPastLateness(window, 120, Date.parse('2026-03-01T10:03:00Z'))).toBe(true);
  });
});
