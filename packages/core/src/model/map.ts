import { MissingTokenError } from '../errors.ts';
import type { Generalizer } from './classes.ts';
import { generalize, timeGeneralized } from './generalize.ts';
import { OUTBOUND_SCHEMA_ID, type OutboundRecord } from './outbound.ts';
import { type TokenMap, type TokenPort, type TokenRequest, tokenKey } from './tokens.ts';
import type { ValidatedEvent } from './validate.ts';

/**
 * The vault requests for a batch of events, deduplicated: every identifier once, contact
 * identifiers (`egress: 'link'`) linked to every subject of the batch that gives them (a mother and
 * her child registered with one phone: the phone is linked to both, so each one's export holds it
 * and erasing one keeps it for the other), keyed identifiers marked so. One vault call per batch.
 */
export function tokenRequestsFor(events: readonly ValidatedEvent[]): TokenRequest[] {
  // By token key, or for a link by token key and subject: a repeat asks for nothing new (most
  // identifiers of a batch are repeats), so it makes no object.
  const requests = new Map<string, TokenRequest>();
  // Token keys some link request asks for already.
  const linked = new Set<string>();
  for (const event of events) {
    const subject = event.identifiers.find((i) => i.subject);
    for (const id of event.identifiers) {
      const key = tokenKey(id.kind, id.value);
      if (id.keyed) {
        if (!requests.has(key)) requests.set(key, { kind: id.kind, value: id.value, keyed: true });
        continue;
      }
      if (id.egress !== 'link' || subject === undefined) {
        if (!requests.has(key) && !linked.has(key)) requests.set(key, { kind: id.kind, value: id.value });
        continue;
      }
      // '>' starts no kind, so a link's key is never a token key.
      const linkKey = `>${key}\u0000${tokenKey(subject.kind, subject.value)}`;
      if (requests.has(linkKey)) continue;
      // A link request asks for the contact's token too: an unlinked request of it is redundant.
      requests.delete(key);
      linked.add(key);
      requests.set(linkKey, {
        kind: id.kind,
        value: id.value,
        linkTo: { kind: subject.kind, value: subject.value },
      });
    }
  }
  return [...requests.values()];
}

/**
 * Maps a validated event, its tokens and its record id ({@link TokenPort.recordIds}) to the
 * outbound record. Pure. What each field becomes is decided by its classification alone:
 * identifiers → tokens (or nothing, for link-only contact identifiers), quasi → generalized,
 * sensitive → dropped, public → as is; the event id stays in region.
 *
 * Postcondition: the result satisfies the event type's strict outbound schema.
 */
export function toOutbound(event: ValidatedEvent, tokens: TokenMap, recordId: string): OutboundRecord {
  const { def, data } = event;
  const record: OutboundRecord = {
    schema: OUTBOUND_SCHEMA_ID,
    recordId,
    catalog: def.catalog,
    type: def.type,
    schemaVersion: def.schemaVersion,
    tenantId: data.tenantId as string,
    occurredHour: '',
    tokens: {},
    attributes: {},
  };
  for (const id of event.identifiers) {
    if (id.egress !== 'token') continue;
    const token = tokens.get(tokenKey(id.kind, id.value));
    if (!token) throw new MissingTokenError(def.type, id.field);
    record.tokens[id.field] = token;
    if (id.subject) record.subject = token;
  }
  for (const field of def.fields) {
    const value = data[field.name];
    if (value === undefined) continue;
    const meta = field.meta;
    if (meta.class === 'quasi') {
      const g = meta.generalize;
      // The event time is parsed once, by validation.
      const out =
        (g.kind === 'hour' || g.kind === 'day') && value === data.occurredAt
          ? timeGeneralized(g.kind, event.occurredAtMillis)
          : generalizeOrThrow(g, value, event.occurredAtMillis);
      if (meta.as === 'occurredHour') record.occurredHour = out;
      else record.attributes[meta.as] = out;
    } else if (meta.class === 'public' && field.name !== 'eventId' && field.name !== 'tenantId') {
      record.attributes[field.name] = value as string | number | boolean;
    }
  }
  return record;
}

/**
 * Tokenizes a batch of events through a port, derives their record ids, and maps them: the
 * records in the order of the events. For tools, tests and baselines; the ingest does the same
 * with a retry per record when a step fails.
 *
 * @example const records = await outboundRecordsOf(createInMemoryTokenPort(), [validated]);
 */
export async function outboundRecordsOf(
  port: TokenPort,
  events: readonly ValidatedEvent[],
): Promise<OutboundRecord[]> {
  const [tokens, recordIds] = await Promise.all([
    port.tokenize(tokenRequestsFor(events)),
    port.recordIds(events.map((event) => event.data.eventId as string)),
  ]);
  return events.map((event, i) => toOutbound(event, tokens, recordIds[i] as string));
}

function generalizeOrThrow(g: Generalizer, value: unknown, occurredAtMillis: number): string {
  const out = generalize(g, value, { occurredAtMillis });
  // validateEvent already generalized every quasi field once; failing here is a bug.
  if (!out.ok) throw new Error(`generalization failed after validation: ${out.reason}`);
  return out.value;
}
