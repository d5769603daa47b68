import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';

/** Where a sent event went in the stream, from the producer's acknowledgement. */
export interface SentEvent {
  eventId: string;
  shardId: string;
  sequenceNumber: string;
}

/** What the in-region quarantine holds for this run's events. */
export interface QuarantineTally {
  /** Event ids found in quarantine, with the reason. */
  byEventId: Map<string, string>;
}

/**
 * Reads the in-region quarantine and attributes entries to this run's events: an ingest entry by
 * the event's stream position (shard, sequence number), a forwarder entry by its record id
 * (`eventOf`: record id → event id). Reasons only; the quarantine holds no values in clear.
 */
export async function tallyQuarantine(
  dynamodb: DynamoDBClient,
  tableName: string,
  sent: ReadonlyMap<string, SentEvent>,
  eventOf: ReadonlyMap<string, string>,
): Promise<QuarantineTally> {
  const byPosition = new Map<string, string>();
  for (const event of sent.values())
    byPosition.set(`${event.shardId}#${event.sequenceNumber}`, event.eventId);
  const byEventId = new Map<string, string>();
  for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName })) {
    for (const item of page.Items ?? []) {
      const reason = item.reason?.S ?? 'unknown';
      const recordId = item.recordId?.S;
      const position =
        item.shardId?.S && item.sequenceNumber?.S ? `${item.shardId.S}#${item.sequenceNumber.S}` : '';
      const stream = item.stream?.S ?? 'events';
      const eventId =
        recordId && eventOf.has(recordId)
          ? eventOf.get(recordId)
          : stream === 'events'
            ? byPosition.get(position)
            : undefined;
      if (eventId) byEventId.set(eventId, reason);
    }
  }
  return { byEventId };
}
