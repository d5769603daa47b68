import { z } from 'zod';
import { CatalogError } from '../errors.ts';
import { checkPublicAttribute } from './attribute-check.ts';
import { classOf, type FieldMeta, type IdentifierMeta, type TokenScheme } from './classes.ts';
import { envelopeFields, VISIBLE_ENVELOPE_FIELDS } from './envelope.ts';
import { checkGeneralizer } from './generalizer-check.ts';
import { ATTRIBUTE_NAME, buildOutboundSchema } from './outbound.ts';
import { visibleBySchema } from './visible-schema.ts';

/** One version of one event type: its classified fields (the envelope is added by the engine). */
export interface EventDefinition<T extends string = string, F extends z.ZodRawShape = z.ZodRawShape> {
  type: T;
  schemaVersion: number;
  description?: string;
  fields: F;
}

/** A catalog: a team's event types, as data for the engine. */
export interface CatalogDefinition<E extends readonly EventDefinition[] = readonly EventDefinition[]> {
  /** Lower-case name, e.g. `clinicbook`; travels in every outbound record. */
  name: string;
  events: E;
}

/** Declares one event type version. @example defineEvent({ type: 'note.added', schemaVersion: 1, fields: { ... } }) */
export function defineEvent<const T extends string, F extends z.ZodRawShape>(
  def: EventDefinition<T, F>,
): EventDefinition<T, F> {
  return def;
}

/** Declares a catalog. @example defineCatalog({ name: 'clinicbook', events: [patientRegistered, ...] }) */
export function defineCatalog<const E extends readonly EventDefinition[]>(
  def: CatalogDefinition<E>,
): CatalogDefinition<E> {
  return def;
}

type InputShape<D> =
  D extends EventDefinition<infer T, infer F>
    ? z.input<
        z.ZodObject<
          typeof envelopeFields & F & { type: z.ZodLiteral<T>; schemaVersion: z.ZodLiteral<number> }
        >
      >
    : never;

/** The input type of any event of a catalog: a union discriminated by `type`, checked at compile time. */
export type CatalogEvent<C extends CatalogDefinition> = InputShape<C['events'][number]>;

/** A field of a compiled event with its classification. */
export interface CompiledField {
  name: string;
  meta: FieldMeta;
  schema: z.ZodType;
  /**
   * Set on a public field whose every string is known at startup to hold no control or invisible
   * character (an enum, a literal, the envelope's ids): validation skips that check for it.
   */
  visibleBySchema?: true;
}

/** One event type version, compiled: its input schema, classified fields and derived outbound schema. */
export interface CompiledEvent {
  catalog: string;
  type: string;
  schemaVersion: number;
  /** Input schema; unknown keys are stripped (default deny). */
  schema: z.ZodObject;
  fields: readonly CompiledField[];
  /** The strict outbound schema of this event type, derived from the classifications. */
  outboundSchema: z.ZodObject;
  /** Name of the field whose token is the data subject, if any. */
  subjectField?: string;
}

/** A catalog checked and compiled at startup. */
export interface CompiledCatalog {
  name: string;
  /** Every compiled event, keyed by `type` then `schemaVersion`. */
  events: ReadonlyMap<string, ReadonlyMap<number, CompiledEvent>>;
  /** Highest schema version of a type, for producers that do not pin one. */
  latestVersion(type: string): number | undefined;
  get(type: string, schemaVersion: number): CompiledEvent | undefined;
}

/**
 * Checks a catalog and compiles it. Fails at startup, never at run time, on: an unclassified
 * field, two subject fields, a field that shadows the envelope, a duplicate (type, version), a
 * public enum or literal with a value that holds a control or invisible character, a public field
 * or quasi attribute that could not leave (see `checkPublicAttribute`), a keyed identifier that is
 * a subject or a link, one identifier kind tokenized both ways.
 */
export function compileCatalog(def: CatalogDefinition): CompiledCatalog {
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(def.name))
    throw new CatalogError(`catalog name '${def.name}' must be lower-case`);
  const events = new Map<string, Map<number, CompiledEvent>>();
  for (const event of def.events) {
    const versions = events.get(event.type) ?? new Map<number, CompiledEvent>();
    if (versions.has(event.schemaVersion)) {
      throw new CatalogError(`duplicate ${event.type} v${event.schemaVersion}`, event.type);
    }
    versions.set(event.schemaVersion, compileEvent(def.name, event));
    events.set(event.type, versions);
  }
  checkOneSchemePerKind(events);
  return {
    name: def.name,
    events,
    latestVersion: (type) => {
      const versions = events.get(type);
      return versions ? Math.max(...versions.keys()) : undefined;
    },
    get: (type, version) => events.get(type)?.get(version),
  };
}

/**
 * A keyed token has no vault entry, so it can be neither erased (a subject must be) nor linked
 * to a subject (a link is a vault item).
 */
function checkTokenScheme(type: string, field: string, meta: IdentifierMeta): void {
  const scheme = meta.token ?? 'random';
  if (scheme !== 'random' && scheme !== 'keyed')
    throw new CatalogError(`${type}.${field}: token must be 'random' or 'keyed'`, type, field);
  if (scheme !== 'keyed') return;
  if (meta.subject)
    throw new CatalogError(`${type}.${field}: a subject's token must be random, to be erasable`, type, field);
  if (meta.egress !== 'token')
    throw new CatalogError(`${type}.${field}: a keyed identifier must leave as a token`, type, field);
}

/**
 * One kind, one token scheme: the same appointment number must get the same token in every event
 * type, and a vault kind made both ways would hold two tokens for one value.
 */
function checkOneSchemePerKind(events: ReadonlyMap<string, ReadonlyMap<number, CompiledEvent>>): void {
  const schemes = new Map<string, { scheme: TokenScheme; type: string }>();
  for (const versions of events.values()) {
    for (const event of versions.values()) {
      for (const field of event.fields) {
        if (field.meta.class !== 'identifier') continue;
        const scheme = field.meta.token ?? 'random';
        const seen = schemes.get(field.meta.kind);
        if (!seen) schemes.set(field.meta.kind, { scheme, type: event.type });
        else if (seen.scheme !== scheme) {
          throw new CatalogError(
            `identifier kind '${field.meta.kind}' is '${seen.scheme}' in ${seen.type} and '${scheme}' in ${event.type}.${field.name}`,
            event.type,
            field.name,
          );
        }
      }
    }
  }
}

/**
 * Each outbound attribute has one source: a public field by its name, a quasi by its `as`, and a
 * name the outbound record can hold (`ATTRIBUTE_NAME`). A quasi named `as` another attribute would overwrite it, or be overwritten, without a word; and
 * only the envelope's own `occurredAt` may become the record's `occurredHour` (a second date field
 * named so would replace the event's hour).
 */
function checkAttributeNames(type: string, fields: readonly CompiledField[]): void {
  const sources = new Map<string, string>();
  for (const field of fields) {
    const meta = field.meta;
    let name: string;
    if (meta.class === 'quasi') name = meta.as;
    else if (meta.class === 'public' && !VISIBLE_ENVELOPE_FIELDS.has(field.name)) name = field.name;
    else continue;
    if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name))
      throw new CatalogError(
        `${type}.${field.name}: ${meta.class === 'quasi' ? "'as'" : "a public field's name"} is a letter then up to 63 letters, digits or '_' (it leaves as an attribute)`,
        type,
        field.name,
      );
    if (name === 'occurredHour' && field.name !== 'occurredAt')
      throw new CatalogError(`${type}.${field.name}: only occurredAt becomes occurredHour`, type, field.name);
    const other = sources.get(name);
    if (other !== undefined)
      throw new CatalogError(
        `${type}.${field.name} and ${type}.${other} both leave as '${name}'`,
        type,
        field.name,
      );
    sources.set(name, field.name);
  }
}

function compileEvent(catalog: string, def: EventDefinition): CompiledEvent {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(def.type))
    throw new CatalogError(`event type '${def.type}' is not a valid name`, def.type);
  if (!Number.isInteger(def.schemaVersion) || def.schemaVersion < 1) {
    throw new CatalogError(`schemaVersion of ${def.type} must be a positive integer`, def.type);
  }
  const fields: CompiledField[] = [];
  for (const [name, schema] of Object.entries({ ...envelopeFields, ...def.fields })) {
    if (name in envelopeFields && name in def.fields) {
      throw new CatalogError(`${def.type} redefines envelope field '${name}'`, def.type, name);
    }
    if (name === 'type' || name === 'schemaVersion')
      throw new CatalogError(`'${name}' is reserved`, def.type, name);
    const meta = classOf(schema as z.ZodType);
    if (!meta) throw new CatalogError(`${def.type}.${name} has no classification`, def.type, name);
    // A name of the envelope here is the envelope's own field: redefining one failed above.
    const visible =
      meta.class === 'public' &&
      (VISIBLE_ENVELOPE_FIELDS.has(name) || visibleBySchema(schema as z.ZodType, def.type, name));
    fields.push({ name, meta, schema: schema as z.ZodType, ...(visible ? { visibleBySchema: true } : {}) });
  }
  const subjects = fields.filter((f) => f.meta.class === 'identifier' && f.meta.subject);
  if (subjects.length > 1) throw new CatalogError(`${def.type} has more than one subject field`, def.type);
  for (const field of fields) {
    if (field.meta.class === 'identifier') checkTokenScheme(def.type, field.name, field.meta);
    if (field.meta.class === 'quasi')
      checkGeneralizer(def.type, field.name, field.meta.generalize, field.schema);
    if (field.meta.class === 'public' && !VISIBLE_ENVELOPE_FIELDS.has(field.name))
      checkPublicAttribute(def.type, field.name, field.schema);
  }
  checkAttributeNames(def.type, fields);
  const schema = z.object({
    ...envelopeFields,
    ...def.fields,
    type: z.literal(def.type),
    schemaVersion: z.literal(def.schemaVersion),
  });
  const compiled = {
    catalog,
    type: def.type,
    schemaVersion: def.schemaVersion,
    schema,
    fields,
    ...(subjects[0] ? { subjectField: subjects[0].name } : {}),
  };
  return { ...compiled, outboundSchema: buildOutboundSchema(compiled) };
}
