/**
 * How Lambda reads what a Kinesis handler returned, per
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html:
 *
 * - `success`: the whole batch is checkpointed. An empty or null `batchItemFailures`, an empty or
 *   null response, and (mirroring AWS, measured) a response that is not an object or whose
 *   `batchItemFailures` is not a list: Lambda cannot read it as a `StreamsEventResponse` and
 *   checkpoints the batch. That is silent loss; handlers must return the right shape.
 * - `partial`: records before `lowestFailedIndex` are checkpointed, the rest is retried.
 * - `malformed`: an entry without a usable `itemIdentifier` (missing, null, empty, not a string,
 *   or not a sequence number of this batch): the whole batch failed.
 *
 * Without `ReportBatchItemFailures` in `FunctionResponseTypes` any returned value is a success.
 */
export type BatchResponseVerdict =
  | { kind: 'success' }
  | { kind: 'partial'; lowestFailedIndex: number }
  | { kind: 'malformed'; reason: string };

/** Reads a handler's (JSON round-tripped) response for a batch with these sequence numbers. */
export function interpretBatchResponse(
  response: unknown,
  sequenceNumbers: readonly string[],
  reportBatchItemFailures: boolean,
): BatchResponseVerdict {
  if (!reportBatchItemFailures) return { kind: 'success' };
  if (response === null || response === undefined) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined || !Array.isArray(failures)) return { kind: 'success' };
  if (failures.length === 0) return { kind: 'success' };
  const indexBySequence = new Map(sequenceNumbers.map((sequence, index) => [sequence, index]));
  let lowest = Number.POSITIVE_INFINITY;
  for (const entry of failures) {
    const identifier =
      entry !== null && typeof entry === 'object'
        ? (entry as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return {
        kind: 'malformed',
        reason: `batch item failure without a usable itemIdentifier: ${safe(entry)}`,
      };
    }
    const index = indexBySequence.get(identifier);
    if (index === undefined) {
      return {
        kind: 'malformed',
        reason: `itemIdentifier '${identifier}' is not a sequence number of this batch`,
      };
    }
    // Records are in sequence order within a batch, so the lowest index is the lowest sequence number.
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', lowestFailedIndex: lowest };
}

function safe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
