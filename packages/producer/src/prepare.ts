import { randomUUID } from 'node:crypto';
import {
  type CompiledCatalog,
  EventValidationError,
  type ValidatedEvent,
  type ValidateOptions,
  validateEvent,
} from '@residency/core';
import type { Entry } from './entry.ts';
import { RecordTooLargeError } from './errors.ts';
import { MAX_BYTES_PER_RECORD } from './limits.ts';
import { createPartitionKeyer } from './partition-key.ts';
import { isPlainJson } from './plain-json.ts';

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
 *
 * Postcondition: the bytes sent are the serialization of a value that passed validation. When the
 * parsed event is not plain JSON data (a getter, Proxy, `toJSON`, Date... inside a field the
 * schema passes through), its serialization is parsed back and validated again, and that is what
 * is sent: a `toJSON` that answers the PII scan with one value and `JSON.stringify` with another
 * cannot smuggle the second past validation.
 */
export function createPreparer(context: PrepareContext): (input: object, seq: number) => Entry {
  const keyOf = createPartitionKeyer(context.partitionKeySecret);
  const validateOptions = context.countryOf ? { countryOf: context.countryOf } : {};
  const validate = (input: unknown): ValidatedEvent => {
    const result = validateEvent(context.catalog, input, validateOptions);
    if (!result.ok) throw result.error;
    return result.event;
  };
  return (input, seq) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw refused(NOT_AN_OBJECT);
    let event: ValidatedEvent;
    let json: string;
    try {
      event = validate(withDefaults(input, context.catalog));
      json = JSON.stringify(event.data);
      // The parsed event itself is zod's own fresh object of data properties: only its values,
      // which a passed-through field may share with the caller, need the full check.
      if (!Object.values(event.data).every((value) => value === undefined || isPlainJson(value))) {
        event = validate(JSON.parse(json));
        json = JSON.stringify(event.data);
      }
    } catch (error) {
      if (error instanceof EventValidationError) throw error;
      // A getter, Proxy trap, toJSON or `countryOf` threw, or the value is not JSON (a BigInt, a
      // cycle). The thrown error is the caller's and may quote the event: it is not kept.
      throw refused(UNREADABLE);
    }
    const eventId = event.data.eventId as string;
    const partitionKey = keyOf(event, eventId);
    const data = Buffer.from(json);
    const bytes = data.byteLength + Buffer.byteLength(partitionKey);
    if (bytes > MAX_BYTES_PER_RECORD)
      throw new RecordTooLargeError(event.def.type, bytes, MAX_BYTES_PER_RECORD);
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

/** The event with its defaulted envelope fields filled; the caller's object is never modified. */
function withDefaults(input: object, catalog: CompiledCatalog): object {
  const event = input as { type?: unknown; eventId?: unknown; occurredAt?: unknown; schemaVersion?: unknown };
  if (event.eventId !== undefined && event.occurredAt !== undefined && event.schemaVersion !== undefined)
    return event;
  return {
    ...event,
    eventId: event.eventId ?? randomUUID(),
    occurredAt: event.occurredAt ?? new Date().toISOString(),
    schemaVersion:
      event.schemaVersion ?? (typeof event.type === 'string' ? catalog.latestVersion(event.type) : undefined),
  };
}

const NOT_AN_OBJECT = { path: '', code: 'invalid_type', message: 'event must be a JSON object' };
const UNREADABLE = {
  path: '',
  code: 'unreadable',
  message: 'reading or serializing the event threw, or it is not JSON data (a BigInt, a cycle)',
};

const refused = (issue: typeof UNREADABLE) => new EventValidationError([issue]);
