import {
  assertArnInRegion,
  assertAwsRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
  ConfigurationError,
  type LiveResources,
} from '@residency/aws';

/** The settings that name vault-admin's tables and stream, each by name or by ARN. */
export type VaultAdminResourceSetting = 'VAULT_TABLE' | 'AUDIT_TABLE' | 'OUTBOX_STREAM_NAME';

/** The configuration the function reads from its environment, checked at cold start. */
export interface VaultAdminConfig {
  dataRegion: string;
  keyArn: string;
  vaultTable: string;
  auditTable: string;
  /** The in-region outbox stream erasure notices leave on (through the forwarder). */
  outboxStream: string;
  /**
   * The ARN each table and stream setting gave, by setting, when it gave one (the name is then the
   * one in the ARN): the live resource the calls reach by that name must report exactly it.
   * Default: none (a setting given by name).
   */
  resourceArns: Readonly<Partial<Record<VaultAdminResourceSetting, string>>>;
  /** Local runtime only: loopback endpoints from the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>` variables. */
  endpoints: { dynamodb?: string; kms?: string; kinesis?: string };
}

/**
 * Reads and checks the environment: DATA_REGION, KEY_ARN, VAULT_TABLE, AUDIT_TABLE,
 * OUTBOX_STREAM_NAME (names or ARNs), and AWS_REGION (set by Lambda) when present. Fails closed,
 * before any call: a missing one throws `ConfigurationError` (without the outbox an erasure would
 * never reach the control plane), as does a `KEY_ARN` that is not the full ARN of a single-Region
 * KMS key or ARNs of more than one account; the function's region, the key and any table or stream
 * ARN must be in the data region, or it throws `RegionMismatchError`. The same static checks as
 * the ingest's (`loadIngestConfig`); {@link vaultAdminLiveResources} is what the cold start then
 * describes live, and a table or stream ARN given is kept (`resourceArns`) for that check to hold
 * the live resource to.
 *
 * @example const config = readVaultAdminConfig(process.env);
 */
export function readVaultAdminConfig(env: Readonly<Record<string, string | undefined>>): VaultAdminConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value?.trim()) throw new ConfigurationError(`environment variable ${name} is required`, name);
    return value;
  };
  const dataRegion = assertAwsRegion(required('DATA_REGION'), 'DATA_REGION');
  if (env.AWS_REGION !== undefined) assertRegion(env.AWS_REGION, dataRegion, 'vault-admin function');
  const keyArn = required('KEY_ARN');
  assertKeyArnInRegion(keyArn, dataRegion, 'KEY_ARN');
  const resourceArns: Partial<Record<VaultAdminResourceSetting, string>> = {};
  const named = (
    name: VaultAdminResourceSetting,
    service: 'dynamodb' | 'kinesis',
    resourceType: 'table' | 'stream',
  ) => {
    const value = required(name);
    if (!value.startsWith('arn:')) return value;
    const arn = assertArnInRegion(value, dataRegion, name);
    const prefix = `${resourceType}/`;
    if (arn.service !== service || !arn.resource.startsWith(prefix)) {
      throw new ConfigurationError(`${name} is not a ${service} ${resourceType} ARN`, name);
    }
    resourceArns[name] = value;
    return arn.resource.slice(prefix.length);
  };
  const config = {
    dataRegion,
    keyArn,
    vaultTable: named('VAULT_TABLE', 'dynamodb', 'table'),
    auditTable: named('AUDIT_TABLE', 'dynamodb', 'table'),
    outboxStream: named('OUTBOX_STREAM_NAME', 'kinesis', 'stream'),
    resourceArns,
    endpoints: {
      ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
      ...(env.AWS_ENDPOINT_URL_KMS ? { kms: env.AWS_ENDPOINT_URL_KMS } : {}),
      ...(env.AWS_ENDPOINT_URL_KINESIS ? { kinesis: env.AWS_ENDPOINT_URL_KINESIS } : {}),
    },
  };
  // A name carries no account; the cold start compares the live ARNs (`verifyLiveResidency`).
  assertOneAccount({
    KEY_ARN: keyArn,
    VAULT_TABLE: env.VAULT_TABLE,
    AUDIT_TABLE: env.AUDIT_TABLE,
    OUTBOX_STREAM_NAME: env.OUTBOX_STREAM_NAME,
  });
  return config;
}

/**
 * What the vault-admin's cold start describes live (`verifyLiveResidency` of `@residency/aws`, the
 * check the ingest, the window closer and the forwarder run): the vault and audit tables, the
 * outbox stream and the KMS key, by the settings that name them. The tables and stream are
 * described by the names the function's calls use, each with the ARN its setting gave, if any
 * (`resourceArns`), which the live resource must then report exactly, as the ingest's do.
 *
 * @example await verifyLiveResidency(vaultAdminLiveResources(config), clients)
 */
export function vaultAdminLiveResources(config: VaultAdminConfig): LiveResources {
  const resource = (setting: VaultAdminResourceSetting, name: string) => {
    const arn = config.resourceArns[setting];
    return arn === undefined ? { name } : { name, arn };
  };
  return {
    dataRegion: config.dataRegion,
    keyArn: config.keyArn,
    tables: {
      VAULT_TABLE: resource('VAULT_TABLE', config.vaultTable),
      AUDIT_TABLE: resource('AUDIT_TABLE', config.auditTable),
    },
    streams: { OUTBOX_STREAM_NAME: resource('OUTBOX_STREAM_NAME', config.outboxStream) },
  };
}
