import { describe, expectTypeOf, it } from 'vitest';
import {
  createFakeTransport,
  createProducer,
  type Producer,
  type ProducerEvent,
  type SendReceipt,
} from '../src/index.ts';
import { archiveDefinition } from './support/catalog.ts';
import { newSecret } from './support/secrets.ts';

// Compile-time checks. This function is never called: `pnpm tsc -p packages/producer/tsconfig.json`
// fails if a line marked @ts-expect-error compiles (the directive is then unused) or if a valid
// line does not.
function compileTimeChecks(producer: Producer, archive: Producer<typeof archiveDefinition>) {
  const envelope = { tenantId: 'dhk-mirpur-01', patientId: 'P-1' } as const;

  // Valid: defaulted envelope fields may be left out, or given.
  void producer.send({ ...envelope, type: 'note.added', doctorId: 'D-1', note: 'ok' });
  void producer.send({
    ...envelope,
    type: 'appointment.cancelled',
    appointmentId: 'A-1',
    cancelledBy: 'clinic',
    eventId: '6f1c1f5e-7a3e-4d0b-9d55-2b1f3f6f0a11',
    occurredAt: '2026-01-01T10:00:00+06:00',
    schemaVersion: 1,
  });

  // @ts-expect-error a misspelled field (`doctorID`) does not compile
  void producer.send({ ...envelope, type: 'note.added', doctorID: 'D-1', note: 'ok' });

  void producer.send({
    ...envelope,
    type: 'appointment.cancelled',
    appointmentId: 'A-1',
    // @ts-expect-error a wrong enum value does not compile
    cancelledBy: 'doctor',
  });

  // @ts-expect-error a missing required field does not compile
  void producer.send({ ...envelope, type: 'note.added', doctorId: 'D-1' });

  // @ts-expect-error a field of another event type does not compile
  void producer.send({ ...envelope, type: 'note.added', doctorId: 'D-1', note: 'ok', amount: 5 });

  // @ts-expect-error an unknown event type does not compile
  void producer.send({ ...envelope, type: 'note.deleted' });

  // @ts-expect-error a number where the schema wants a string does not compile
  void producer.send({ ...envelope, type: 'note.added', doctorId: 7, note: 'ok' });

  // Another catalog gives its own types.
  void archive.send({ type: 'document.archived', tenantId: 't-1', ownerId: 'O-1', body: 'b', format: 'pdf' });
  // @ts-expect-error a ClinicBook event is not an event of the archive catalog
  void archive.send({ ...envelope, type: 'note.added', doctorId: 'D-1', note: 'ok' });
  void archive.send({
    type: 'document.archived',
    tenantId: 't-1',
    ownerId: 'O-1',
    body: 'b',
    // @ts-expect-error a wrong enum value of the archive catalog does not compile
    format: 'docx',
  });
}

describe('producer types', () => {
  it('derive the event union from the catalog', () => {
    expectTypeOf(compileTimeChecks).toBeFunction();
    expectTypeOf<ProducerEvent['type']>().toEqualTypeOf<
      | 'patient.registered'
      | 'appointment.booked'
      | 'appointment.cancelled'
      | 'note.added'
      | 'payment.completed'
    >();
    expectTypeOf<Extract<ProducerEvent, { type: 'appointment.booked' }>['channel']>().toEqualTypeOf<
      'web' | 'app' | 'phone' | 'walk_in'
    >();
    expectTypeOf<Extract<ProducerEvent, { type: 'note.added' }>['eventId']>().toEqualTypeOf<
      string | undefined
    >();
    expectTypeOf<Producer['send']>().returns.resolves.toEqualTypeOf<SendReceipt>();
  });

  it('infer the catalog from the options', async () => {
    const producer = createProducer({
      streamName: 's',
      region: 'ap-south-1',
      catalog: archiveDefinition,
      transport: createFakeTransport(),
      partitionKeySecret: newSecret(),
    });
    expectTypeOf(producer).toEqualTypeOf<Producer<typeof archiveDefinition>>();
    expectTypeOf<ProducerEvent<typeof archiveDefinition>['type']>().toEqualTypeOf<
      'document.archived' | 'archive.pinged'
    >();
    await producer.close();
  });
});
