import { createAwsClients, type EndpointsFile } from '@residency/aws';
import { createDynamoControlPlaneStore, readControlPlaneDescriptor } from '@residency/control-plane';

/** What `run` reads of the control plane to account for events: stored record ids and cells. */
export interface ControlPlaneView {
  url: string;
  /** Which of these record ids the control plane stored. */
  storedRecordIds(recordIds: readonly string[]): Promise<Set<string>>;
  aggregateCount(): Promise<number>;
  close(): void;
}

/** Opens the local control plane's store read-only for accounting; undefined if none is running. */
export async function openControlPlane(file: EndpointsFile): Promise<ControlPlaneView | undefined> {
  if (!file.endpoints.controlPlane) return undefined;
  const descriptor = readControlPlaneDescriptor(file);
  const clients = createAwsClients({
    region: descriptor.region,
    endpoints: { dynamodb: descriptor.dynamodb },
  });
  const store = createDynamoControlPlaneStore({ dynamodb: clients.dynamodb, tables: descriptor.tables });
  return {
    url: descriptor.url,
    storedRecordIds: (recordIds) => store.storedRecordIds(recordIds),
    aggregateCount: async () => {
      let count = 0;
      for await (const row of store.exportAll()) if (row.kind === 'aggregate') count += 1;
      return count;
    },
    close: () => clients.destroy(),
  };
}
