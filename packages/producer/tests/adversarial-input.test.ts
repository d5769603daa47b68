import { defineCatalog, defineEvent, identifier, publicField, scanRecord, sensitive } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigurationError,
  createFakeTransport,
  createProducer,
  EventValidationError,
  type ProducerEvent,
} from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';

// A careless or hostile app: inputs the types forbid, reached through `as never`.

/** A catalog with a field its schema passes through (a record of anything; dropped at the ingest, as a public field may not be a structure). */
const looseDefinition = defineCatalog({
  name: 'loose',
  events: [
    defineEvent({
      type: 'form.saved',
      schemaVersion: 1,
      fields: {
        ownerId: identifier(z.string().min(1), {
          kind: 'owner',
          egress: 'token',
          normalizer: 'opaque',
          subject: true,
        }),
        labels: sensitive(z.record(z.string(), z.unknown())),
        tag: publicField(z.string().max(32)).optional(),
        body: sensitive(z.string()).optional(),
      },
    }),
  ],
});

const PHONE = '+8801712345678';
const SECRET_ID = 'P-SECRET-4711';

const fake = () => {
  const transport = createFakeTransport();
  const producer = createProducer({
    streamName: 's',
    region: 'ap-south-1',
    transport,
    partitionKeySecret: newSecret(),
    catalog: looseDefinition,
  });
  const stored = () => transport.records.map((r) => Buffer.from(r.data).toString());
  return { producer, stored };
};
const form = { type: 'form.saved', tenantId: 't-1', ownerId: 'O-1' } as const;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('producer send() against hostile values', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'note.added'],
    ['a number', 42],
    ['an array', [{ type: 'note.added' }]],
  ])('refuses %s as an event with EventValidationError, accepting nothing', async (_, input) => {
    // Prepare
    const { producer, stored } = fake();

    // Act
    const error = await refusal(producer.send(input as never));

    // Assess
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).issues[0]).toMatchObject({ path: '', code: 'invalid_type' });
    expect(await producer.close()).toEqual({ sent: 0, failed: [] });
    expect(producer.counters().accepted).toBe(0);
    expect(stored()).toEqual([]);
  });

  it('refuses an event whose getter or Proxy trap throws, without the thrown message', async () => {
    // Prepare: the caller's errors quote a value.
    const { producer } = fake();
    const getter = {
      ...form,
      labels: {},
      get eventId(): string {
        throw new Error(`cannot read ${SECRET_ID}`);
      },
    };
    const trap = new Proxy(
      { ...form, labels: {} },
      {
        get() {
          throw new Error(`trap saw ${SECRET_ID}`);
        },
      },
    );

    // Act
    const errors = [
      await refusal(producer.send(getter as never)),
      await refusal(producer.send(trap as never)),
    ];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(EventValidationError);
      expect((error as EventValidationError).issues.map((i) => i.code)).toEqual(['unreadable']);
      expect(`${String(error)} ${error?.stack} ${JSON.stringify(error)}`).not.toContain(SECRET_ID);
      expect((error as Error).cause).toBeUndefined();
    }
    await producer.close();
  });

  it('never sends a value other than the one it validated: a toJSON or getter cannot smuggle PII', async () => {
    // Prepare: each answers the first read of a public field with a clean value, later ones with a
    // phone.
    const { producer, stored } = fake();
    let calls = 0;
    const twoFaced = { toJSON: () => (calls++ === 0 ? 'clean' : PHONE) };
    let reads = 0;
    const shifty = {
      ...form,
      labels: {},
      get tag() {
        return reads++ === 0 ? 'clean' : PHONE;
      },
    };
    let proxyReads = 0;
    const proxied = new Proxy(
      { ...form, labels: {}, tag: 'clean' },
      { get: (t, k) => (k === 'tag' && proxyReads++ > 0 ? PHONE : Reflect.get(t, k)) },
    );

    // Act
    const outcomes = await Promise.allSettled([
      producer.send({ ...form, labels: {}, tag: twoFaced } as never),
      producer.send(shifty),
      producer.send(proxied),
    ]);
    await producer.close();

    // Assess: whatever was accepted is clean as sent; the rest was refused as personal data.
    const onStream = stored();
    expect(onStream.filter((text) => text.includes(PHONE))).toEqual([]);
    expect(onStream.filter((text) => scanRecord(JSON.parse(text)).length > 0)).toEqual([]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(EventValidationError);
        expect(String(outcome.reason)).not.toContain(PHONE);
      }
    }
    const sent = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(onStream).toHaveLength(sent);
    for (const text of onStream) expect(JSON.parse(text).tag).toBe('clean');
    expect(calls + reads + proxyReads).toBeGreaterThan(0);
  });

  it('sends a Date, a Map, a class instance or an undefined in a passed-through field as JSON writes it, validated as such', async () => {
    // Prepare
    const { producer, stored } = fake();
    class Point {
      constructor(readonly x: number) {}
    }
    const at = new Date('2026-01-02T03:04:05Z');

    // Act
    await producer.send({
      ...form,
      labels: { at, map: new Map([['k', 1]]), point: new Point(1), gone: undefined },
    });
    await producer.close();

    // Assess: a consumer parsing the record reads exactly what was validated.
    const [text] = stored();
    expect(JSON.parse(text ?? '{}').labels).toEqual({ at: at.toISOString(), map: {}, point: { x: 1 } });
  });

  it('refuses a BigInt or a cycle with EventValidationError, never a bare TypeError', async () => {
    // Prepare
    const { producer } = fake();
    const cycle: Record<string, unknown> = { [SECRET_ID]: 1 };
    cycle.self = cycle;

    // Act
    const big = await refusal(producer.send({ ...form, labels: { n: 10n } }));
    const cyclic = await refusal(producer.send({ ...form, labels: { cycle } }));

    // Assess
    expect(big).toBeInstanceOf(EventValidationError);
    expect(cyclic).toBeInstanceOf(EventValidationError);
    expect(String(cyclic)).not.toContain(SECRET_ID);
    expect(await producer.close()).toEqual({ sent: 0, failed: [] });
  });

  it('takes frozen events, class instances and a JSON __proto__ key without sending what it did not validate', async () => {
    // Prepare
    const { producer, stored } = fake();
    class FormEvent {
      readonly type = 'form.saved';
      readonly tenantId = 't-1';
      readonly ownerId = 'O-2';
      readonly labels = { kind: 'class' };
    }
    const polluted = JSON.parse(
      `{"type":"form.saved","tenantId":"t-1","ownerId":"O-3","labels":{"__proto__":{"phone":"${PHONE}"}}}`,
    );

    // Act
    await producer.send(Object.freeze({ ...form, labels: Object.freeze({ kind: 'frozen' }) }));
    await producer.send(new FormEvent() as never);
    const proto = await refusal(producer.send(polluted));
    await producer.close();

    // Assess
    const sent = stored().map((t) => JSON.parse(t) as { labels: Record<string, unknown> });
    expect(sent.slice(0, 2).map((e) => e.labels)).toEqual([{ kind: 'frozen' }, { kind: 'class' }]);
    expect(stored().join('\n')).not.toContain(PHONE);
    expect(({} as Record<string, unknown>).phone).toBeUndefined(); // no prototype pollution
    if (proto === undefined) expect(sent).toHaveLength(3);
  });

  it('strips a huge or cyclic unknown field instead of sending or choking on it', async () => {
    // Prepare: a ClinicBook producer; an extra 4 MB field and a cyclic one the schema does not know.
    const transport = createFakeTransport();
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      transport,
      partitionKeySecret: newSecret(),
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const [event] = makeEvents(1, 1);

    // Act
    await producer.send({ ...event, blob: 'x'.repeat(4_000_000), cycle } as unknown as ProducerEvent);
    await producer.close();

    // Assess
    const sent = Buffer.from(transport.records[0]?.data ?? []).toString();
    expect(sent.length).toBeLessThan(1_000);
    expect(sent).not.toContain('blob');
  });
});

describe('producer partition key secret, fail closed', () => {
  const base = { streamName: 's', region: 'ap-south-1', transport: createFakeTransport() };

  it.each([
    ['a string (an unparsed env var)', 'x'.repeat(64)],
    ['a short buffer', Buffer.alloc(31, 7)],
    ['a zero-filled buffer', Buffer.alloc(32)],
    ['a constant buffer', Buffer.alloc(64, 0xab)],
    ['a number', 12345],
  ])('refuses %s at construction', (_, partitionKeySecret) => {
    expect(() => createProducer({ ...base, partitionKeySecret: partitionKeySecret as never })).toThrow(
      ConfigurationError,
    );
  });

  it('keeps its own copy: the caller zeroing its buffer does not move a patient to another key', async () => {
    // Prepare: two producers with the same secret; one caller zeroes its buffer after construction.
    const secret = newSecret();
    const [event] = makeEvents(1, 1);
    const keyOfPatient = async (partitionKeySecret: Buffer, zeroAfter: boolean) => {
      const transport = createFakeTransport();
      const producer = createProducer({
        streamName: 's',
        region: 'ap-south-1',
        transport,
        partitionKeySecret,
      });
      if (zeroAfter) partitionKeySecret.fill(0);
      await producer.send(event!);
      await producer.close();
      return transport.records[0]?.partitionKey;
    };

    // Act
    const reference = await keyOfPatient(Buffer.from(secret), false);
    const zeroed = await keyOfPatient(secret, true);

    // Assess
    expect(reference).toMatch(/^[0-9a-f]{32}$/);
    expect(zeroed).toBe(reference);
  });

  it.each([
    ['a stream name that is not a string', { streamName: 123 }],
    ['an unknown whenQueueFull', { whenQueueFull: 'drop' }],
    ['a negative maxWaitingSenders', { maxWaitingSenders: -1 }],
  ])('refuses %s', (_, overrides) => {
    expect(() => createProducer({ ...base, partitionKeySecret: newSecret(), ...overrides } as never)).toThrow(
      ConfigurationError,
    );
  });
});
