import { aws, type core, vault } from './deps.ts';

/**
 * Record id → event id for `eventIds`, as `deriver` (the token port the ingest ran with) derives
 * them. The ingest forwards an event under a record id derived in region from its event id, so a
 * test that follows events across the border asks the same port.
 */
export async function eventIdsByRecordId(
  deriver: Pick<core.TokenPort, 'recordIds'>,
  eventIds: Iterable<string>,
): Promise<Map<string, string>> {
  const ids = [...new Set(eventIds)];
  const recordIds = await deriver.recordIds(ids);
  return new Map(recordIds.map((recordId, i) => [recordId, ids[i] as string]));
}

/** {@link eventIdsByRecordId} with the vault of a local stack, named by its endpoints file. */
export async function stackEventIdsByRecordId(
  file: aws.EndpointsFile,
  eventIds: Iterable<string>,
): Promise<Map<string, string>> {
  const clients = aws.createAwsClients({ region: file.region, endpoints: file.endpoints });
  const stackVault = vault.createVaultFromEndpointsFile(file, clients);
  try {
    return await eventIdsByRecordId(stackVault, eventIds);
  } finally {
    stackVault.close();
    clients.destroy();
  }
}
