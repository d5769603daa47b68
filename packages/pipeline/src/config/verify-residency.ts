import { type AwsClients, verifyLiveResidency } from '@residency/aws';
import type { BaseConfig } from './env.ts';

/**
 * The cold-start residency check against the live resources: the clients are pinned to the data
 * region, and every table, stream and the KMS key report ARNs in it, all in one account (tables
 * given by name carry no account in the environment; their live ARNs do, so a key of another
 * account is caught here). Runs after the static checks of `loadIngestConfig` and before the handler does any work;
 * a region mismatch is a `RegionMismatchError`, an account mismatch a `ConfigurationError`, and the
 * function refuses to start. The check itself is `verifyLiveResidency` in `@residency/aws`, shared
 * with the border's forwarder.
 */
export async function verifyResidency(config: BaseConfig, clients: AwsClients): Promise<void> {
  await verifyLiveResidency(config, clients);
}
