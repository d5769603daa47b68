import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';

/** What an export wrote. */
export interface ExportSummary {
  records: number;
  aggregates: number;
}

/**
 * Writes every record and aggregate cell the control plane holds to `path`, one JSON object per
 * line: `{"kind":"record","record":{...}}` or `{"kind":"aggregate","aggregate":{...}}` (the outbox
 * message shape, so an export can be replayed or diffed against what was sent).
 *
 * @example await exportToJsonl(store, 'control-plane.jsonl') // { records: 3000, aggregates: 42 }
 */
export async function exportToJsonl(store: ControlPlaneStore, path: string): Promise<ExportSummary> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const summary: ExportSummary = { records: 0, aggregates: 0 };
  try {
    for await (const row of store.exportAll()) {
      if (row.kind === 'record') summary.records += 1;
      else summary.aggregates += 1;
      if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return summary;
}
