import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';

/** What an export wrote. */
export interface ExportSummary {
  records: number;
  aggregates: number;
}

/**
 * Writes every record and aggregate cell the control plane holds to `path`, one JSON object per
 * line: `{"kind":"record","record":{...}}` or `{"kind":"aggregate","aggregate":{...}}` (the outbox
 * message shape, so an export can be replayed or diffed against what was sent). A file that cannot
 * be opened or written (no such folder, no space) rejects with the file system's error, and so does
 * a store that fails mid-read, with the file closed; nothing is thrown outside the returned promise.
 *
 * @example await exportToJsonl(store, 'control-plane.jsonl') // { records: 3000, aggregates: 42 }
 */
export async function exportToJsonl(store: ControlPlaneStore, path: string): Promise<ExportSummary> {
  const summary: ExportSummary = { records: 0, aggregates: 0 };
  async function* lines() {
    for await (const row of store.exportAll()) {
      if (row.kind === 'record') summary.records += 1;
      else summary.aggregates += 1;
      yield `${JSON.stringify(row)}\n`;
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(path, { encoding: 'utf8' }));
  return summary;
}
