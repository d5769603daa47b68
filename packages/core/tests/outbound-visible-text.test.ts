import { describe, expect, it } from 'vitest';
import { AggregateCellSchema, OutboundRecordSchema } from '../src/index.ts';
import { flag, HIDDEN } from './hidden-characters.ts';

// Validation refuses hidden characters in public values; the exit's schemas refuse them again, so
// that a value that reached the outbox by any other path cannot cross the border either.

describe('the outbound schemas (the exit checks again)', () => {
  const record = (department: string) => ({
    schema: 'residency.outbound.v1',
    recordId: '3b9e0c52-41d7-8a6f-9c20-5d8e7f1a2b3c',
    catalog: 'clinicbook',
    type: 'appointment.booked',
    schemaVersion: 1,
    tenantId: 'dhk-mirpur-01',
    occurredHour: '2026-11-27T04:00Z',
    tokens: {},
    attributes: { department, waitDays: 3 },
  });
  const cell = (department: string) => ({
    schema: 'residency.aggregate.v1',
    cellId: 'cell-00000001',
    catalog: 'clinicbook',
    type: 'appointment.booked',
    tenantId: 'dhk-mirpur-01',
    windowStart: '2026-11-27T04:00:00Z',
    windowSeconds: 3600,
    dimensions: { department },
    count: 12,
    distinctSubjects: 11,
    metrics: {},
    privacy: { k: 10 },
  });

  it('refuses a hidden character in a record attribute and an aggregate dimension', () => {
    for (const [, hidden] of HIDDEN) {
      expect(OutboundRecordSchema.safeParse(record(`card${hidden}iology`)).success).toBe(false);
      expect(AggregateCellSchema.safeParse(cell(`card${hidden}iology`)).success).toBe(false);
    }
  });

  it('passes what validation accepts', () => {
    for (const department of ['cardiology', 'হৃদরোগ', 'र\u200Dष', '\u{1F468}\u200D\u{1F469}', flag('gbsct')]) {
      expect(OutboundRecordSchema.safeParse(record(department)).success).toBe(true);
      expect(AggregateCellSchema.safeParse(cell(department)).success).toBe(true);
    }
  });
});
