import type { CatalogDefinition, CatalogEvent, clinicbookDefinition } from '@residency/core';

/** The ClinicBook catalog definition, the producer's default catalog. */
export type ClinicBookDefinition = typeof clinicbookDefinition;

/** Envelope fields the producer fills in when the caller leaves them out. */
type Defaulted = 'eventId' | 'occurredAt' | 'schemaVersion';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * An event as `send()` takes it: the catalog's input type (derived from its zod schemas, a union
 * discriminated by `type`), except that `eventId` (default: a random UUID), `occurredAt`
 * (default: now) and `schemaVersion` (default: the latest version of the type) may be omitted.
 * A misspelled field, a missing required field or a wrong enum value does not compile.
 *
 * @example const e: ProducerEvent = { type: 'note.added', tenantId: 'dhk-01', patientId: 'P-1', doctorId: 'D-1', note: '…' };
 */
export type ProducerEvent<C extends CatalogDefinition = ClinicBookDefinition> =
  CatalogEvent<C> extends infer E
    ? E extends unknown
      ? Simplify<Omit<E, Defaulted> & Partial<Pick<E, Extract<keyof E, Defaulted>>>>
      : never
    : never;
