import { randomUUID } from 'node:crypto';
import { type CompiledCatalog, type ValidateOptions, validateEvent } from '@residency/core';
import type { Entry } from './entry.ts';
import { RecordTooLargeError } from './errors.ts';
import { MAX_BYTES_PER_RECORD } from './limits.ts';
import { createPartitionKeyer } from './partition-key.ts';

/** What turning a caller's event into a record needs. */
export interface PrepareContext {
  catalog: CompiledCatalog;
  countryOf: ValidateOptions['countryOf'];
  partitionKeySecret: Uint8Array;
}

/**
 * Returns the function that turns a caller's event into a record, or throws: fills the defaulted
 * envelope fields, validates against the catalog (throwing core's `EventValidationError`, which
 * names fields and reasons, never values), serializes the parsed event (unknown keys stripped),
 * derives the keyed partition key and checks the Kinesis record size.
 */
export function createPreparer(context: PrepareContext): (input: object, seq: number) => Entry {
  const keyOf = createPartitionKeyer(context.partitionKeySecret);
  const validateOptions = context.countryOf ? { countryOf: context.countryOf } : {};
  return (input, seq) => {
    const event = input as {
      type?: unknown;
      eventId?: unknown;
      occurredAt?: unknown;
      schemaVersion?: unknown;
    };
    // Copy only when a default is needed: the caller's object is never modified.
    const filled =
      event.eventId !== undefined && event.occurredAt !== undefined && event.schemaVersion !== undefined
        ? event
        : {
            ...event,
            eventId: event.eventId ?? randomUUID(),
            occurredAt: event.occurredAt ?? new Date().toISOString(),
            schemaVersion:
              event.schemaVersion ??
              (typeof event.type === 'string' ? context.catalog.latestVersion(event.type) : undefined),
          };
    const result = validateEvent(context.catalog, filled, validateOptions);
    if (!result.ok) throw result.error;
    const eventId = result.event.data.eventId as string;
    const partitionKey = keyOf(result.event, eventId);
    const data = Buffer.from(JSON.stringify(result.event.data));
    const bytes = data.byteLength + Buffer.byteLength(partitionKey);
    if (bytes > MAX_BYTES_PER_RECORD)
      throw new RecordTooLargeError(result.event.def.type, bytes, MAX_BYTES_PER_RECORD);
    return {
      eventId,
      partitionKey,
      data,
      bytes,
      acceptedAtMillis: Date.now(),
      seq,
      attempts: 0,
      state: 'waiting',
      mayBeOnStream: false,
      lastErrorCode: undefined,
      next: undefined,
      waiter: undefined,
    };
  };
}
