import { AuditWriteError } from '../errors.ts';
import type { AuditLog, AuditRecord } from './audit-log.ts';

/** An {@link AuditLog} in memory, for tests: the records, and a switch to make writes fail. */
export interface MemoryAuditLog extends AuditLog {
  readonly records: readonly AuditRecord[];
  /** When true, `append` fails with {@link AuditWriteError} (to test that nothing is revealed then). */
  failing: boolean;
}

/** Creates a {@link MemoryAuditLog}. @example const audit = createMemoryAuditLog(); audit.failing = true; */
export function createMemoryAuditLog(): MemoryAuditLog {
  const records: AuditRecord[] = [];
  const log: MemoryAuditLog = {
    records,
    failing: false,
    async append(record) {
      await Promise.resolve();
      if (log.failing) throw new AuditWriteError('memory audit log is failing', record.action);
      records.push({ ...record, tokens: [...record.tokens] });
    },
  };
  return log;
}
