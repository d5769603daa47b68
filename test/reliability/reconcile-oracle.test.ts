import { describe, expect, it } from 'vitest';
import type { border } from './support/deps.ts';
import { type ControlPlaneLedger, RECONCILED, reconcileEgressLog } from './support/reconcile.ts';

// The egress-log oracle of copy-under-bounce, checked on its own: it must see each kind of
// disagreement between the egress log and the control plane, or a passing run proves nothing.

const entry = (
  batchId: string,
  itemIds: string[],
  overrides: Partial<border.EgressLogEntry> = {},
): border.EgressLogEntry => ({
  batchId,
  kind: 'records',
  count: itemIds.length,
  sha256: 'a'.repeat(64),
  itemsSha256: `${batchId}-items`,
  itemIds,
  destination: 'http://127.0.0.1:1',
  sentAt: '2026-03-01T00:00:00.000Z',
  status: 'acknowledged',
  ...overrides,
});

const storedBatch = (batchId: string, count: number) => ({
  batchId,
  kind: 'records' as const,
  count,
  keyId: 'k1',
  sentAt: '2026-03-01T00:00:00.000Z',
  receivedAt: '2026-03-01T00:00:00.000Z',
  sha256: 'b'.repeat(64),
  itemsSha256: `${batchId}-items`,
  stored: count,
  duplicates: 0,
});

// Batch b1 stored r1 and r2; b2 (the same records re-sent after a crash, cut differently) stored
// nothing new; the cell c1 went in b3.
const agreeing = (): { entries: border.EgressLogEntry[]; ledger: ControlPlaneLedger } => ({
  entries: [
    entry('b1', ['r1', 'r2'], { status: 'sending' }),
    entry('b1', ['r1', 'r2']),
    entry('b2', ['r2']),
    entry('b3', ['c1'], { kind: 'aggregates' }),
  ],
  ledger: {
    batches: [storedBatch('b1', 2), storedBatch('b2', 1), { ...storedBatch('b3', 1), kind: 'aggregates' }],
    recordBatch: new Map([
      ['r1', 'b1'],
      ['r2', 'b1'],
    ]),
    cellIds: new Set(['c1']),
  },
});

const clean = RECONCILED;

describe('egress-log reconciliation oracle', () => {
  it('finds nothing when both sides agree', () => {
    const { entries, ledger } = agreeing();
    expect(reconcileEgressLog(entries, ledger)).toEqual(clean);
  });

  it('sees a stored batch missing from the log, or logged with another items digest', () => {
    // Prepare
    const { entries, ledger } = agreeing();
    const withoutB2 = entries.filter((e) => e.batchId !== 'b2');
    const otherDigest = entries.map((e) => (e.batchId === 'b3' ? { ...e, itemsSha256: 'x' } : e));
    // Act / Assess
    expect(reconcileEgressLog(withoutB2, ledger).storedButNotLogged).toEqual(['b2']);
    expect(reconcileEgressLog(otherDigest, ledger).storedButNotLogged).toEqual(['b3']);
  });

  it('sees an acknowledged batch or record the control plane does not hold', () => {
    // Prepare
    const { entries, ledger } = agreeing();
    entries.push(entry('b9', ['r9']));
    // Act
    const found = reconcileEgressLog(entries, ledger);
    // Assess
    expect(found.acknowledgedButNotStored).toEqual(['b9']);
    expect(found.recordsAcknowledgedButNotStored).toEqual(['r9']);
  });

  it('sees a stored record no acknowledged entry lists, and one its storing batch does not list', () => {
    // Prepare
    const { entries, ledger } = agreeing();
    ledger.recordBatch.set('r3', 'b2');
    // Act
    const found = reconcileEgressLog(entries, ledger);
    // Assess
    expect(found.recordsStoredButNotAcknowledged).toEqual(['r3']);
    expect(found.recordsNotInTheirBatch).toEqual(['r3']);
  });

  it('counts a record as delivered only from an acknowledged entry', () => {
    // Prepare
    const { entries, ledger } = agreeing();
    const unacknowledged = entries.filter((e) => e.status !== 'acknowledged' || e.kind !== 'records');
    // Act / Assess
    expect(reconcileEgressLog(unacknowledged, ledger).recordsStoredButNotAcknowledged).toEqual(['r1', 'r2']);
  });

  it('sees a cell on one side only', () => {
    // Prepare
    const { entries, ledger } = agreeing();
    ledger.cellIds.add('c2');
    entries.push(entry('b3', ['c1', 'c3'], { kind: 'aggregates', count: 2 }));
    // Act / Assess
    expect(reconcileEgressLog(entries, ledger).cellsOnOneSide).toEqual(['c2', 'c3']);
  });
});
