import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { assertArnInRegion, assertAwsRegion, type EndpointsFile } from '@residency/aws';
import { createDynamoDbAuditLog } from './audit/dynamodb-audit-log.ts';
import { createKmsKeyProvider } from './crypto/kms-key-provider.ts';
import { VaultConfigurationError } from './errors.ts';
import type { VaultCommonOptions } from './options.ts';
import { createDynamoDbVaultStore } from './store/dynamodb-store.ts';
import { createVaultWithPorts, type Vault } from './vault.ts';

/** Options of {@link createVault}. */
export interface CreateVaultOptions extends VaultCommonOptions {
  /** SDK clients pinned to the data region (an `AwsClients` from `createAwsClients` fits). */
  clients: { dynamodb: DynamoDBClient; kms: KMSClient };
  /** The vault table (key `pk` S + `sk` S). */
  tableName: string;
  /** The audit table (key `pk` S + `sk` S). */
  auditTableName: string;
  /** Full ARN of the customer managed KMS key; must be in `region`. */
  keyArn: string;
  /** The data region. */
  region: string;
}

/**
 * Creates the vault on DynamoDB and KMS in the data region. Refuses a key outside the region.
 * Nothing is called until the first use: the index key is unwrapped on the first tokenize.
 *
 * @example
 * const clients = createAwsClients({ region, endpoints: file.endpoints });
 * const vault = createVault({
 *   clients, region, keyArn: file.keyArn, tableName: file.tables.vault!, auditTableName: file.tables.audit!,
 * });
 */
export function createVault(options: CreateVaultOptions): Vault {
  assertAwsRegion(options.region);
  assertArnInRegion(options.keyArn, options.region, 'vault KMS key');
  if (options.tableName === options.auditTableName) {
    throw new VaultConfigurationError('the audit log needs its own table', 'auditTableName');
  }
  return createVaultWithPorts({
    ...options,
    vaultName: options.tableName,
    store: createDynamoDbVaultStore({ dynamodb: options.clients.dynamodb, tableName: options.tableName }),
    audit: createDynamoDbAuditLog({ dynamodb: options.clients.dynamodb, tableName: options.auditTableName }),
    keys: createKmsKeyProvider({ kms: options.clients.kms, keyArn: options.keyArn }),
  });
}

/**
 * The vault of a local stack, named by its endpoints file (`residency up`), on the given clients.
 * In region by construction: the file is the stack's own.
 *
 * @example const vault = createVaultFromEndpointsFile(await readEndpointsFile('.residency'), clients);
 */
export function createVaultFromEndpointsFile(
  file: EndpointsFile,
  clients: CreateVaultOptions['clients'],
  options: VaultCommonOptions = {},
): Vault {
  const { vault: tableName, audit: auditTableName } = file.tables;
  if (!tableName || !auditTableName) {
    throw new VaultConfigurationError('the endpoints file names no vault or audit table', 'tableName');
  }
  return createVault({
    ...options,
    clients,
    region: file.region,
    keyArn: file.keyArn,
    tableName,
    auditTableName,
  });
}
