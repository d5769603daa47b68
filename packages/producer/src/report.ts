/**
 * Why an accepted event was not delivered.
 * - `rejected`: the stream refused the record with an error no retry can fix (`errorCode` says which).
 * - `stream_error`: a PutRecords call failed with such an error (missing stream, no permission, KMS key disabled, region guard).
 * - `retries_exhausted`: retryable failures (throttling, internal errors, network) until the retry deadline passed.
 * - `close_timeout`: `close({ timeoutMillis })` ran out of time before the event was acknowledged.
 */
export type FailureReason = 'rejected' | 'stream_error' | 'retries_exhausted' | 'close_timeout';

/** One event that was accepted and then not delivered. Never contains event data. */
export interface DeliveryFailure {
  eventId: string;
  reason: FailureReason;
  /** The last AWS error code seen for this event, e.g. `ProvisionedThroughputExceededException`. */
  errorCode?: string;
  /** PutRecords attempts made for this event. */
  attempts: number;
  /**
   * True when a request carrying the event ended without a definite answer (a network error,
   * or in flight when close timed out): the event may be on the stream after all. Sending it
   * again with the same `eventId` is safe; the control plane dedupes on it.
   */
  mayBeOnStream: boolean;
}

/**
 * What `flush()` and `close()` resolve with: every event settled since the previous report.
 * Each accepted event appears in exactly one report, counted in `sent` or listed in `failed`.
 */
export interface DeliveryReport {
  sent: number;
  failed: DeliveryFailure[];
}

/** Collects settlements between two reports. */
export interface ReportWindow {
  acknowledged(): void;
  failed(failure: DeliveryFailure): void;
  /** Returns the report so far and starts a new one. */
  take(): DeliveryReport;
}

/** Creates a {@link ReportWindow}. */
export function createReportWindow(): ReportWindow {
  let sent = 0;
  let failed: DeliveryFailure[] = [];
  return {
    acknowledged() {
      sent++;
    },
    failed(failure) {
      failed.push(failure);
    },
    take() {
      const report = { sent, failed };
      sent = 0;
      failed = [];
      return report;
    },
  };
}
