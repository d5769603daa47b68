export {
  ACTOR_PATTERN,
  type AccessRequest,
  AccessRequestSchema,
  type AdminAction,
  type AuthorizePolicy,
  checkAccessRequest,
  createAllowlistPolicy,
  denyAll,
  PRINCIPALS_ENV,
  PURPOSE_PATTERN,
  policyFromEnv,
  shapeOf,
} from './access.ts';
export type { AuditAction, AuditLog, AuditOutcome, AuditRecord } from './audit/audit-log.ts';
export { createDynamoDbAuditLog, type DynamoDbAuditLogOptions } from './audit/dynamodb-audit-log.ts';
export { createMemoryAuditLog, type MemoryAuditLog } from './audit/memory-audit-log.ts';
export { type BlindIndexer, createBlindIndexer, INDEX_VERSION_PATTERN } from './blind-index.ts';
export { type CreateVaultOptions, createVault, createVaultFromEndpointsFile } from './create-vault.ts';
export { DATA_KEY_BYTES, decryptGcm, encryptGcmInto, IV_BYTES, TAG_BYTES } from './crypto/aes-gcm.ts';
export {
  createDataKeyCache,
  type DataKeyCache,
  type DataKeyCacheOptions,
  dataKeyContext,
} from './crypto/data-key-cache.ts';
export {
  createDataKeyResolver,
  type DataKeyResolver,
  type DataKeyResolverOptions,
} from './crypto/data-key-resolver.ts';
export { canonicalContext, type EncryptionContext, entryContext } from './crypto/encryption-context.ts';
export { openEntryValue, sealEntryValue } from './crypto/entry-crypto.ts';
export {
  DATA_KEY_ID_BYTES,
  type DataKeyMaterial,
  ENVELOPE_OVERHEAD_BYTES,
  ENVELOPE_VERSION,
  envelopeDataKeyId,
  openEnvelope,
  sealEnvelope,
} from './crypto/envelope.ts';
export { createIndexKeyring, type IndexKeyring, indexKeyContext } from './crypto/index-keys.ts';
export type { GeneratedDataKey, KeyProvider } from './crypto/key-provider.ts';
export { createKmsKeyProvider, type KmsKeyProviderOptions } from './crypto/kms-key-provider.ts';
export { createMemoryKeyProvider, type MemoryKeyProvider } from './crypto/memory-key-provider.ts';
export { createRandomPool, RANDOM_POOL_BYTES, type RandomPool } from './crypto/random-pool.ts';
export {
  createRotatingDataKey,
  type RotatingDataKey,
  type RotatingDataKeyOptions,
} from './crypto/rotating-data-key.ts';
export { DETOKENIZE_MAX_TOKENS, type DetokenizeResult, type RevealedIdentifier } from './detokenize.ts';
export type { EraseResult } from './erase.ts';
export type { ErasureSink } from './erasure-sink.ts';
export {
  type AccessIssue,
  AmbiguousSubjectError,
  AuditWriteError,
  DecryptionError,
  ErasureNoticeDeliveryError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  KeyServiceError,
  OutboxWriteError,
  UnauthorizedError,
  VaultConfigurationError,
  VaultStoreError,
} from './errors.ts';
export type { ExportedIdentifier, ExportResult } from './export.ts';
export { type ColdStartOptions, createColdStart, isConfigurationFailure } from './handlers/cold-start.ts';
export {
  createVaultAdminFromEnv,
  createVaultAdminHandler,
  type VaultAdminEvent,
  VaultAdminEventSchema,
  type VaultAdminFromEnv,
  type VaultAdminIssue,
  type VaultAdminResponse,
} from './handlers/vault-admin.ts';
export {
  readVaultAdminConfig,
  type VaultAdminConfig,
  vaultAdminLiveResources,
} from './handlers/vault-admin-config.ts';
export { DEFAULT_INPUT_COUNTRY, normalizedInput } from './identifier-input.ts';
export type { LookupResult } from './lookup.ts';
export { type VaultCommonOptions, type VaultTuning, VaultTuningSchema } from './options.ts';
export { outboxErasureSink } from './outbox-erasure-sink.ts';
export type { ReindexOptions, ReindexResult } from './reindex.ts';
export {
  describeError,
  type SafeErrorDescription,
  safeErrorName,
  type ToSafeErrorOptions,
  toSafeError,
  WITHHELD_MESSAGE,
} from './safe-error.ts';
export {
  createDynamoDbVaultStore,
  type DynamoDbVaultStoreOptions,
} from './store/dynamodb-store.ts';
export { createMemoryVaultStore, type MemoryVaultStore } from './store/memory-store.ts';
export type {
  GetEntriesOptions,
  IndexRef,
  PutIfAbsentOutcome,
  SubjectLink,
  TokenLinks,
  TokenPointer,
  VaultEntry,
  VaultStore,
  WrappedKeyRecord,
} from './store/vault-store.ts';
export { indexRefKey } from './store/vault-store.ts';
export type { SubjectRef } from './subject.ts';
export { KIND_PATTERN, MAX_VALUE_LENGTH } from './tokenize.ts';
export { createVaultWithPorts, type Vault, type VaultPorts, type VaultStats } from './vault.ts';
