/** One record for the stream: an opaque partition key and the serialized event. */
export interface TransportRecord {
  partitionKey: string;
  data: Uint8Array;
}

/**
 * What the stream said about one record of a PutRecords call. A failed record carries the
 * service's error code (never the record) and whether trying it again can succeed.
 */
export type TransportRecordResult =
  | { ok: true; shardId: string; sequenceNumber: string }
  | {
      ok: false;
      errorCode: string;
      retryable: boolean;
      /** The answer does not say whether the record was written (a malformed entry). Default: false. */
      mayBeOnStream?: boolean;
    };

/**
 * The producer's port to a stream: one batched put. Results are per record, in request order.
 * A call that fails as a whole throws a `TransportError` (retryable or not); any other throw
 * is treated as retryable with an unknown outcome.
 *
 * @example
 * const transport: Transport = { putRecords: async (records) => records.map(() => ({ ok: true, shardId: 's', sequenceNumber: '1' })) };
 */
export interface Transport {
  putRecords(
    records: readonly TransportRecord[],
    options: { signal: AbortSignal },
  ): Promise<TransportRecordResult[]>;
  /** Releases connections the transport owns. Called once by `close()`. */
  destroy?(): void;
}
