import { createHmac } from 'node:crypto';
import type { ValidatedEvent } from '@residency/core';

/** Hex characters of the HMAC kept as partition key (128 bits: collisions never matter for sharding). */
export const PARTITION_KEY_HEX_LENGTH = 32;

/** Shortest accepted partition key secret, in bytes. */
export const MIN_PARTITION_KEY_SECRET_BYTES = 32;

/** Subjects whose key is remembered, so a busy patient costs one HMAC, not one per event. */
const CACHED_KEYS = 10_000;

/**
 * Derives the partition key of a validated event without putting an identifier in it:
 * HMAC-SHA256(secret, kind + NUL + normalized subject), first 32 hex characters. One patient's
 * events share a key (so a shard, so an order); without the secret the key cannot be linked to
 * the patient, not even by hashing candidate ids. An event without a subject is keyed by its
 * `eventId` (random, public), which spreads such events over all shards.
 *
 * @example const keyOf = createPartitionKeyer(secret); keyOf(validated, eventId) // '9f1c…' (32 hex)
 */
export function createPartitionKeyer(secret: Uint8Array): (event: ValidatedEvent, eventId: string) => string {
  // Keys are as sensitive as the secret that makes them: the cache lives in this process only.
  const cache = new Map<string, string>();
  return (event, eventId) => {
    const subject = event.identifiers.find((identifier) => identifier.subject);
    if (!subject) return eventId;
    const input = `${subject.kind}\u0000${subject.value}`;
    let key = cache.get(input);
    if (key === undefined) {
      key = createHmac('sha256', secret).update(input).digest('hex').slice(0, PARTITION_KEY_HEX_LENGTH);
      if (cache.size >= CACHED_KEYS) cache.delete(cache.keys().next().value as string);
      cache.set(input, key);
    }
    return key;
  };
}
