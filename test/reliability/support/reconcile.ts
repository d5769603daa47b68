import { aws, type border, controlPlane, testing } from './deps.ts';

type DocumentClient = ReturnType<typeof testing.documentClientFor>;

/** What the control plane holds, as the egress log must account for it (ids and digests only). */
export interface ControlPlaneLedger {
  /** Every batch it accepted (its dedupe and reconciliation table). */
  batches: controlPlane.StoredBatch[];
  /** Every stored record id, with the id of the batch that stored it first. */
  recordBatch: Map<string, string>;
  /** Every stored aggregate cell id. */
  cellIds: Set<string>;
}

/** Every entry of the forwarder's egress log table. */
export async function readEgressLog(
  documentClient: DocumentClient,
  tableName: string,
): Promise<border.EgressLogEntry[]> {
  return testing.scanItems<border.EgressLogEntry>(documentClient, tableName);
}

/** Reads the local control plane's batches, records and cells from its own DynamoDB. */
export async function readControlPlaneLedger(endpointsFile: aws.EndpointsFile): Promise<ControlPlaneLedger> {
  const descriptor = controlPlane.readControlPlaneDescriptor(endpointsFile);
  const clients = aws.createAwsClients({
    region: descriptor.region,
    endpoints: { dynamodb: descriptor.dynamodb },
  });
  try {
    const documentClient = testing.documentClientFor(clients.dynamodb);
    const batches = await testing.scanItems<controlPlane.StoredBatch>(
      documentClient,
      descriptor.tables.batches,
    );
    const recordBatch = new Map<string, string>();
    for (const item of await testing.scanItems<{ pk: string; sk: string; batchId?: string }>(
      documentClient,
      descriptor.tables.records,
    )) {
      if (item.sk === 'REC' && item.pk.startsWith('REC#'))
        recordBatch.set(item.pk.slice('REC#'.length), item.batchId ?? '');
    }
    const cellIds = new Set<string>();
    const store = controlPlane.createDynamoControlPlaneStore({
      dynamodb: clients.dynamodb,
      tables: descriptor.tables,
    });
    for await (const row of store.exportAll())
      if (row.kind === 'aggregate') cellIds.add(row.aggregate.cellId);
    return { batches, recordBatch, cellIds };
  } finally {
    clients.destroy();
  }
}

/** Ids on one side only, per check: every list must be empty for the two sides to reconcile. */
export interface Reconciliation {
  /** Batches the control plane accepted with no egress-log entry of the same id, count and items digest. */
  storedButNotLogged: string[];
  /** Batches the egress log has as acknowledged that the control plane never accepted. */
  acknowledgedButNotStored: string[];
  /** Record ids stored by the control plane that no acknowledged egress entry lists. */
  recordsStoredButNotAcknowledged: string[];
  /** Record ids in acknowledged egress entries that the control plane does not hold. */
  recordsAcknowledgedButNotStored: string[];
  /** Records whose storing batch (per the control plane) has no egress entry listing them. */
  recordsNotInTheirBatch: string[];
  /** Cell ids stored and not acknowledged, or acknowledged and not stored. */
  cellsOnOneSide: string[];
}

/** What {@link reconcileEgressLog} returns when the two sides agree. */
export const RECONCILED: Readonly<Reconciliation> = Object.freeze({
  storedButNotLogged: [],
  acknowledgedButNotStored: [],
  recordsStoredButNotAcknowledged: [],
  recordsAcknowledgedButNotStored: [],
  recordsNotInTheirBatch: [],
  cellsOnOneSide: [],
});

/**
 * Reconciles the egress log with the control plane as sets: batches by id (with count and items
 * digest), records and cells by id in both directions, and each record against the batch the
 * control plane says stored it. Entries of any status count as "logged" (the entry is written
 * before the first byte leaves); only `acknowledged` entries count as "delivered".
 */
export function reconcileEgressLog(
  entries: readonly border.EgressLogEntry[],
  ledger: ControlPlaneLedger,
): Reconciliation {
  const logged = new Map<string, border.EgressLogEntry[]>();
  for (const entry of entries) logged.set(entry.batchId, [...(logged.get(entry.batchId) ?? []), entry]);
  const acknowledged = entries.filter((entry) => entry.status === 'acknowledged');
  const acknowledgedIds = (kind: border.EgressLogEntry['kind']) =>
    new Set(acknowledged.filter((entry) => entry.kind === kind).flatMap((entry) => entry.itemIds ?? []));
  const ackedRecords = acknowledgedIds('records');
  const ackedCells = acknowledgedIds('aggregates');
  const storedBatchIds = new Set(ledger.batches.map((batch) => batch.batchId));
  const minus = <T>(a: Iterable<T>, b: { has(value: T): boolean }) => [...a].filter((x) => !b.has(x));
  return {
    storedButNotLogged: ledger.batches
      .filter(
        (batch) =>
          !(logged.get(batch.batchId) ?? []).some(
            (entry) =>
              entry.kind === batch.kind &&
              entry.count === batch.count &&
              entry.itemsSha256 === batch.itemsSha256 &&
              (entry.itemIds ?? []).length === batch.count,
          ),
      )
      .map((batch) => batch.batchId),
    acknowledgedButNotStored: [
      ...new Set(
        minus(
          acknowledged.map((entry) => entry.batchId),
          storedBatchIds,
        ),
      ),
    ],
    recordsStoredButNotAcknowledged: minus(ledger.recordBatch.keys(), ackedRecords),
    recordsAcknowledgedButNotStored: minus(ackedRecords, ledger.recordBatch),
    recordsNotInTheirBatch: [...ledger.recordBatch]
      .filter(
        ([recordId, batchId]) => !(logged.get(batchId) ?? []).some((e) => e.itemIds?.includes(recordId)),
      )
      .map(([recordId]) => recordId),
    cellsOnOneSide: [...minus(ledger.cellIds, ackedCells), ...minus(ackedCells, ledger.cellIds)],
  };
}
