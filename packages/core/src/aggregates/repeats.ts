import type { Observation } from './observation.ts';

/** Which delivery of an event counts: the first record (shard, sequence number) that carried its id. */
export interface EventClaim {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** What {@link dropRepeatedEvents} kept, dropped and must claim. */
export interface RepeatFilter {
  /** Observations to plan, in input order. */
  readonly kept: readonly Observation[];
  /** Events whose id an earlier record already carried: a producer's second copy, never counted. */
  readonly repeated: number;
  /** Kept observations whose id has no claim yet: claim them before any partial moves. */
  readonly toClaim: readonly Observation[];
}

/**
 * Drops the second copy of an event. Kinesis gives a record that a producer put twice (after a
 * timeout or a reset it could not tell from a failure) a second sequence number, so the sequence
 * fences alone would count it twice. The first record to carry an event id claims it; any other
 * record with that id is a repeat, in this batch or a later one. A record that already holds the
 * claim (a redelivery of the same record) is kept: its fence decides whether it was applied.
 *
 * Claims must be stored before the partials they guard: a crash in between leaves a claim whose
 * own record is delivered again and kept. Pure; the adapter reads the claims and writes `toClaim`.
 *
 * Precondition: `observations` are of one shard, in ascending sequence order.
 *
 * @example const { kept, toClaim } = dropRepeatedEvents(observations, shardId, (id) => claims.get(id));
 */
export function dropRepeatedEvents(
  observations: readonly Observation[],
  shardId: string,
  claimOf: (eventId: string) => EventClaim | undefined,
): RepeatFilter {
  const kept: Observation[] = [];
  const toClaim: Observation[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  for (const observation of observations) {
    const { eventId } = observation;
    if (eventId === undefined) {
      kept.push(observation);
      continue;
    }
    const claim = claimOf(eventId);
    const ownClaim = claim?.shardId === shardId && claim.sequenceNumber === observation.sequenceNumber;
    if ((claim && !ownClaim) || seen.has(eventId)) {
      repeated += 1;
      continue;
    }
    seen.add(eventId);
    kept.push(observation);
    if (!claim) toClaim.push(observation);
  }
  return { kept, repeated, toClaim };
}
