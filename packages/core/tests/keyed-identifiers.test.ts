import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CatalogError,
  clinicbook,
  compileCatalog,
  createInMemoryTokenPort,
  defineCatalog,
  defineEvent,
  type IdentifierMeta,
  identifier,
  tokenKey,
  tokenRequestsFor,
  toOutbound,
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
      { kind: 'patient', value: 'P-00012345' },
      { kind: 'doctor', value: 'D-00000042' },
      { kind: 'appointment', value: 'A-00098765', keyed: true },
    ]);
  });

  it('the outbound record carries the keyed token', async () => {
    const port = createInMemoryTokenPort();
    const first = validated(booked);
    const second = validated({ ...booked, eventId: crypto.randomUUID(), patientId: 'P-2' });
    const tokens = await port.tokenize(tokenRequestsFor([first]));
    const later = await createInMemoryTokenPort().tokenize(tokenRequestsFor([second]));
    const record = toOutbound(first, tokens);
    expect(record.tokens.appointmentId).toBe(tokens.get(tokenKey('appointment', 'A-00098765')));
    expect(record.tokens.appointmentId).toMatch(/^apt_/);
    // Another port is another key: the token is not a function of the value alone.
    expect(later.get(tokenKey('appointment', 'A-00098765'))).not.toBe(record.tokens.appointmentId);
  });
});
