import { PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import {
  clinicbook,
  outboundRecordsOf,
  type TokenPort,
  type ValidatedEvent,
  type ValidateOptions,
  validateEvent,
} from '@residency/core';
import type { MeasuredClients } from '../environment/clients.ts';
import type { Invoke } from './measure-pass.ts';

/** Options of {@link createComposedIngest}. */
export interface ComposedIngestOptions {
  tokenPort: TokenPort;
  clients: MeasuredClients;
  outboxStream: string;
  countryOf?: ValidateOptions['countryOf'];
  /** PutRecords calls in flight at once. Default: 4. */
  putConcurrency?: number;
}

/** PutRecords takes at most 500 records. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html */
const PUT_RECORDS_MAX = 500;

/**
 * The hot path assembled from the core's public functions and the vault, in the phases the
 * design prescribes (decode and validate all, one tokenize per batch, map, PutRecords of 500).
 * Used only when `@residency/pipeline` has no ingest handler yet; the report names which ran.
 * No quarantine, aggregates, logging or metrics: it is the pipeline minus those.
 */
export function createComposedIngest(options: ComposedIngestOptions): Invoke {
  const validateOptions: ValidateOptions = options.countryOf ? { countryOf: options.countryOf } : {};
  const concurrency = options.putConcurrency ?? 4;
  return async (event) => {
    const valid: ValidatedEvent[] = [];
    let invalid = 0;
    for (const record of event.Records) {
      const input: unknown = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
      const result = validateEvent(clinicbook, input, validateOptions);
      if (result.ok) valid.push(result.event);
      else invalid += 1;
    }
    const records = await outboundRecordsOf(options.tokenPort, valid);
    const entries: PutRecordsRequestEntry[] = records.map((record) => {
      return {
        PartitionKey: record.subject ?? record.recordId,
        Data: Buffer.from(JSON.stringify({ kind: 'record', record })),
      };
    });
    const chunks: PutRecordsRequestEntry[][] = [];
    for (let i = 0; i < entries.length; i += PUT_RECORDS_MAX)
      chunks.push(entries.slice(i, i + PUT_RECORDS_MAX));
    let failed = 0;
    for (let i = 0; i < chunks.length; i += concurrency) {
      const results = await Promise.all(
        chunks
          .slice(i, i + concurrency)
          .map((chunk) =>
            options.clients.outbox.send(
              new PutRecordsCommand({ StreamName: options.outboxStream, Records: chunk }),
            ),
          ),
      );
      for (const result of results) failed += result.FailedRecordCount ?? 0;
    }
    return { invalid, failed };
  };
}
