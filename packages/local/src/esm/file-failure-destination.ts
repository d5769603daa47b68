import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type FailureDestination, OnFailureRecordSchema } from './on-failure-record.ts';

/** Options of {@link createFileFailureDestination}. */
export interface FileFailureDestinationOptions {
  /** JSON-lines file to append to, inside the data directory, e.g. `DIR/on-failure/ingest.jsonl`. */
  path: string;
}

/**
 * A {@link FailureDestination} that appends each on-failure record as one JSON line to a file in
 * the data directory: it stays on this machine (in region), like an SQS queue in the data region
 * would on AWS. Precondition: what is written is metadata only; every record is parsed with the
 * strict {@link OnFailureRecordSchema}, so a record carrying anything else (such as payloads) is
 * refused rather than written.
 *
 * @example createFileFailureDestination({ path: join(dataDir, 'on-failure', 'ingest.jsonl') })
 */
export function createFileFailureDestination(options: FileFailureDestinationOptions): FailureDestination {
  let tail: Promise<void> = Promise.resolve();
  return {
    async send(record) {
      const line = `${JSON.stringify(OnFailureRecordSchema.parse(record))}\n`;
      const write = tail.then(async () => {
        await mkdir(dirname(options.path), { recursive: true });
        await appendFile(options.path, line, { encoding: 'utf8', mode: 0o600 });
      });
      tail = write.catch(() => undefined);
      await write;
    },
  };
}
