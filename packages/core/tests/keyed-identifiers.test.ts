import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
  clinicbook,
  compileCatalog,
  createInMemoryTokenPort,
  defineCatalog,
  defineEvent,
  formatRecordId,
  type IdentifierMeta,
  identifier,
  type OutboundRecord,
  OutboundRecordSchema,
  outboundRecordsOf,
  tokenKey,
  tokenRequestsFor,
  type ValidatedEvent,
  validateEvent,
} from '../src/index.ts';
import { booked } from './events.ts';

const id = (meta: Partial<Omit<IdentifierMeta, 'class'>> = {}) =>
  identifier(z.string(), { kind: 'visit', egress: 'token', normalizer: 'opaque', ...meta });

type Fields = Record<string, z.ZodType>;

const compile = (...events: Fields[]) =>
  compileCatalog(
    defineCatalog({
      name: 'clinic',
      events: events.map((fields, i) => defineEvent({ type: `e${i}`, schemaVersion: 1, fields })),
    }),
  );

const validated = (input: unknown): ValidatedEvent => {
  const result = validateEvent(clinicbook, input);
  if (!result.ok) throw result.error;
  return result.event;
};

describe('keyed identifiers in a catalog', () => {
  it('compiles a keyed identifier that leaves as a token', () => {
    const catalog = compile(
      { visitId: id({ token: 'keyed' }) },
      { visitId: id({ token: 'keyed' }).optional() },
    );
    const field = catalog.get('e0', 1)?.fields.find((f) => f.name === 'visitId');
    expect(field?.meta).toMatchObject({ class: 'identifier', token: 'keyed' });
  });

  it.each<[string, Fields[], RegExp]>([
    ['a keyed subject (it could not be erased)', [{ p: id({ token: 'keyed', subject: true }) }], /subject/],
    ['a keyed link (links are vault items)', [{ p: id({ token: 'keyed', egress: 'link' }) }], /as a token/],
    [
      'one kind made both ways in two event types',
      [{ a: id({ token: 'keyed' }) }, { b: id() }],
      /kind 'visit' is 'keyed' in e0 and 'random' in e1\.b/,
    ],
    ['one kind made both ways in one event type', [{ a: id(), b: id({ token: 'keyed' }) }], /kind 'visit'/],
    ['a scheme that does not exist', [{ a: id({ token: 'hashed' as 'keyed' }) }], /'random' or 'keyed'/],
  ])('refuses %s', (_, events, message) => {
    expect(() => compile(...events)).toThrow(CatalogError);
    expect(() => compile(...events)).toThrow(message);
  });
});

describe('keyed identifiers on the way out', () => {
  it("ClinicBook's appointment is keyed and its patient, doctor and contacts are not", () => {
    const event = validated(booked);
    const requests = tokenRequestsFor([event, validated({ ...booked, eventId: crypto.randomUUID() })]);
    expect(requests).toEqual([
      // An application's own numbers are keyed per tenant
      { kind: 'patient', value: 'dhk-mirpur-01/P-00012345' },
      { kind: 'doctor', value: 'dhk-mirpur-01/D-00000042' },
      { kind: 'appointment', value: 'dhk-mirpur-01/A-00098765', keyed: true },
    ]);
  });

  it('the outbound record carries the keyed token', async () => {
    const port = createInMemoryTokenPort();
    const event = validated(booked);
    const tokens = await port.tokenize(tokenRequestsFor([event]));
    const [record] = await outboundRecordsOf(port, [event]);
    expect(record?.tokens.appointmentId).toBe(
      tokens.get(tokenKey('appointment', 'dhk-mirpur-01/A-00098765')),
    );
    expect(record?.tokens.appointmentId).toMatch(/^apt_/);
    // Another port is another key: the token is not a function of the value alone.
    const [elsewhere] = await outboundRecordsOf(createInMemoryTokenPort(), [event]);
    expect(elsewhere?.tokens.appointmentId).not.toBe(record?.tokens.appointmentId);
  });
});

describe('record ids', () => {
  it('formatRecordId sets version 8 and the RFC variant and keeps the other 122 bits', () => {
    expect(formatRecordId(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-8fff-bfff-ffffffffffff');
    expect(formatRecordId(new Uint8Array(16))).toBe('00000000-0000-8000-8000-000000000000');
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    expect(formatRecordId(bytes)).toBe('00070e15-1c23-8a31-b83f-464d545b6269');
  });

  it('the exit refuses a record whose id is the event id (version 4) or any UUID but version 8', async () => {
    const [record] = (await outboundRecordsOf(createInMemoryTokenPort(), [validated(booked)])) as [
      OutboundRecord,
    ];
    expect(OutboundRecordSchema.safeParse(record).success).toBe(true);
    expect(record.recordId).not.toBe(booked.eventId);
    for (const recordId of [booked.eventId, '0190f2a1-7b3c-7d4e-8f5a-6b7c8d9e0f1a', 'not-a-uuid']) {
      expect(OutboundRecordSchema.safeParse({ ...record, recordId }).success).toBe(false);
    }
  });
});
