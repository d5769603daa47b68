import type { TokenMap, TokenPort, TokenRequest } from '@residency/core';
import type { AccessRequest } from './access.ts';
import type { AuditLog } from './audit/audit-log.ts';
import { createVaultContext } from './context.ts';
import type { KeyProvider } from './crypto/key-provider.ts';
import { type DetokenizeResult, detokenize } from './detokenize.ts';
import { type EraseResult, eraseSubject } from './erase.ts';
import { type ExportResult, exportSubject } from './export.ts';
import { type LookupResult, lookupKeyedToken } from './lookup.ts';
import { resolveVaultOptions, type VaultCommonOptions } from './options.ts';
import { type ReindexOptions, type ReindexResult, reindex } from './reindex.ts';
import type { VaultStore } from './store/vault-store.ts';
import type { SubjectRef } from './subject.ts';
import { createRecordIds, createTokenize } from './tokenize.ts';

/** Counters of one vault instance since it was created. */
export interface VaultStats {
  /** Identifiers answered from the in-memory cache. */
  cacheHits: number;
  /** Identifiers looked up in the store. */
  cacheMisses: number;
  /** Identifiers that joined a lookup already in flight in this process (single-flight). */
  singleFlightJoins: number;
  /** New entries this instance created. */
  created: number;
  /** Conditional creates lost to another writer (its token was used). */
  racesLost: number;
  /** Identifiers found under a previous index version. */
  previousVersionHits: number;
  /** Links written to the store. */
  linksWritten: number;
  /** Pointers of lost races that could not be removed (they resolve to nothing). */
  orphanPointers: number;
  /** Keyed tokens computed (cache misses of keyed identifiers; nothing stored). */
  keyedTokens: number;
  /** Record ids derived from event ids. */
  recordIds: number;
  /** Data keys generated (one KMS GenerateDataKey each). */
  dataKeysGenerated: number;
  /** KMS calls made for index keys (once per version per cold start). */
  indexKeyUnwraps: number;
  /** KMS calls made for the token key (once per cold start that meets a keyed identifier or an event). */
  tokenKeyUnwraps: number;
  /** Identifiers in the cache now. */
  cacheSize: number;
}

/**
 * The vault: the core's {@link TokenPort} plus the in-region admin operations. Every admin
 * operation takes `{ actor, purpose }`, is authorized by the configured policy, and is audited
 * before it reveals or changes anything.
 */
export interface Vault extends TokenPort {
  /** Tokens for a batch of normalized identifiers; links contact identifiers to their subject. */
  tokenize(requests: readonly TokenRequest[]): Promise<TokenMap>;
  /** The outbound record ids of event ids: version 8 UUIDs from an HMAC under the token key. */
  recordIds(eventIds: readonly string[]): Promise<readonly string[]>;
  /** The keyed token of an identifier of a keyed kind (authorized, audited). */
  lookupKeyedToken(identifier: { kind: string; value: string }, access: AccessRequest): Promise<LookupResult>;
  /** The identifiers behind tokens (at most 1000 per call). */
  detokenize(tokens: readonly string[], access: AccessRequest): Promise<DetokenizeResult>;
  /** Erases a subject; returns the erasure notice for the control plane. */
  eraseSubject(subject: SubjectRef, access: AccessRequest): Promise<EraseResult>;
  /** What the vault holds for a subject (access requests). */
  exportSubject(subject: SubjectRef, access: AccessRequest): Promise<ExportResult>;
  /** Moves entries to another index key version, keeping tokens. */
  reindex(options: ReindexOptions, access: AccessRequest): Promise<ReindexResult>;
  stats(): VaultStats;
  /** Zeroes the keys held in memory and drops the caches. */
  close(): void;
}

/** The ports a vault runs on (see `createVault` for the DynamoDB + KMS wiring). */
export interface VaultPorts {
  store: VaultStore;
  audit: AuditLog;
  keys: KeyProvider;
  /** The vault's name in every encryption context: its table name. */
  vaultName: string;
}

/**
 * Creates a vault over explicit ports: the in-memory fakes in tests and in-process benchmarks,
 * the DynamoDB and KMS adapters in `createVault`.
 *
 * @example
 * const vault = createVaultWithPorts({
 *   store: createMemoryVaultStore(), audit: createMemoryAuditLog(), keys: createMemoryKeyProvider(),
 *   vaultName: 'test-vault',
 * });
 * const tokens = await vault.tokenize([{ kind: 'patient', value: 'P-1' }]);
 */
export function createVaultWithPorts(ports: VaultPorts & VaultCommonOptions): Vault {
  const ctx = createVaultContext(ports.vaultName, ports, resolveVaultOptions(ports));
  const tokenize = createTokenize(ctx);
  return {
    tokenize,
    recordIds: createRecordIds(ctx),
    detokenize: (tokens, access) => detokenize(ctx, tokens, access),
    eraseSubject: (subject, access) => eraseSubject(ctx, subject, access),
    exportSubject: (subject, access) => exportSubject(ctx, subject, access),
    reindex: (options, access) => reindex(ctx, options, access),
    lookupKeyedToken: (identifier, access) => lookupKeyedToken(ctx, identifier, access),
    stats: () => ({
      ...ctx.counters,
      dataKeysGenerated: ctx.dataKeys.generated,
      indexKeyUnwraps: ctx.indexKeys.unwraps,
      tokenKeyUnwraps: ctx.tokenKeys.unwraps,
      cacheSize: ctx.cache.size,
    }),
    close() {
      ctx.dataKeys.close();
      ctx.resolver.close();
      ctx.indexKeys.close();
      ctx.tokenKeys.close();
      ctx.cache.clear();
      ctx.linkCache.clear();
    },
  };
}
