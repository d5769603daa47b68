import type { BatchKind } from '../batching/chunk.ts';

/** A batch ready to sign: its id, kind, item count, the serialized items, and the attempt's time. */
export interface UnsealedBatch {
  batchId: string;
  kind: BatchKind;
  count: number;
  /** `JSON.stringify(items)`, exactly as chunked. */
  body: string;
  /** ISO time of this attempt (each retry is re-signed with a fresh one). */
  sentAt: string;
}

/** The HTTP request of a signed batch. */
export interface SealedBatch {
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** Port: turns a batch into a signed request. The forwarder never sees the private key. */
export interface BatchSealer {
  seal(batch: UnsealedBatch): SealedBatch;
}
