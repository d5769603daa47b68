import type { ErasureNotice } from '@residency/core';

/**
 * Where the vault hands erasure notices on their way to the control plane. The pipeline
 * implements it by writing an `erasure` message to the in-region outbox stream; the forwarder
 * takes it across the border like any other outbox message.
 *
 * @example const sink: ErasureSink = { send: (notice) => outbox.put({ kind: 'erasure', erasure: notice }) };
 */
export interface ErasureSink {
  send(notice: ErasureNotice): Promise<void>;
}
