import type { Token } from '@residency/core';
import { LRUCache } from 'lru-cache';
import type { AuditLog } from './audit/audit-log.ts';
import { createDataKeyCache, type DataKeyCache } from './crypto/data-key-cache.ts';
import { createDataKeyResolver, type DataKeyResolver } from './crypto/data-key-resolver.ts';
import { createIndexKeyring, type IndexKeyring } from './crypto/index-keys.ts';
import type { KeyProvider } from './crypto/key-provider.ts';
import { createRandomPool, type RandomPool } from './crypto/random-pool.ts';
import { VaultConfigurationError } from './errors.ts';
import type { ResolvedVaultOptions } from './options.ts';
import type { VaultStore } from './store/vault-store.ts';

/** The version of the token key keyed identifiers and record ids are HMACed under (`TK#v1`). */
export const TOKEN_KEY_VERSION = 'v1';

/** Counters behind `vault.stats()`. */
export interface VaultCounters {
  cacheHits: number;
  cacheMisses: number;
  singleFlightJoins: number;
  created: number;
  racesLost: number;
  previousVersionHits: number;
  linksWritten: number;
  orphanPointers: number;
  keyedTokens: number;
  recordIds: number;
}

/** Everything the vault's operations share. Internal: built once by `createVaultWithPorts`. */
export interface VaultContext {
  vault: string;
  store: VaultStore;
  audit: AuditLog;
  options: ResolvedVaultOptions;
  indexKeys: IndexKeyring;
  /**
   * The token key of keyed identifiers and record ids, at {@link TOKEN_KEY_VERSION}. Never rotated by a re-index:
   * a keyed token must stay the same for good, since nothing stored maps the old to the new.
   */
  tokenKeys: IndexKeyring;
  dataKeys: DataKeyCache;
  resolver: DataKeyResolver;
  random: RandomPool;
  /** tokenKey(kind, value) → token. Plain identifiers live here, in memory only. */
  cache: LRUCache<string, Token>;
  /** `<contact>><subject>` of links known to be stored. */
  linkCache: LRUCache<string, true>;
  /**
   * Tokens this process erased, for `cacheTtlSeconds`: a tokenize whose read raced the erasure
   * (or read a stale replica) finds one here and reads again, so it never hands out or caches an
   * erased token after the erasure is done.
   */
  erased: LRUCache<Token, true>;
  counters: VaultCounters;
}

/** Builds the shared context of a vault. */
export function createVaultContext(
  vault: string,
  ports: { store: VaultStore; audit: AuditLog; keys: KeyProvider },
  options: ResolvedVaultOptions,
): VaultContext {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(vault)) {
    throw new VaultConfigurationError(`vault name '${vault}' is not a DynamoDB table name`, 'tableName');
  }
  const { clock } = options;
  const resolver = createDataKeyResolver({
    vault,
    keys: ports.keys,
    store: ports.store,
    clock,
    dataKeyMaxAgeSeconds: options.dataKeyMaxAgeSeconds,
  });
  return {
    vault,
    store: ports.store,
    audit: ports.audit,
    options,
    indexKeys: createIndexKeyring({ vault, keys: ports.keys, store: ports.store, clock }),
    tokenKeys: createIndexKeyring({
      vault,
      keys: ports.keys,
      store: ports.store,
      clock,
      purpose: 'token-key',
    }),
    dataKeys: createDataKeyCache({
      vault,
      keys: ports.keys,
      store: ports.store,
      clock,
      dataKeyMaxAgeSeconds: options.dataKeyMaxAgeSeconds,
      dataKeyMaxMessages: options.dataKeyMaxMessages,
      onGenerated: (material) => resolver.seed(material),
    }),
    resolver,
    random: createRandomPool(),
    cache: new LRUCache<string, Token>({
      max: options.cacheMaxEntries,
      ttl: options.cacheTtlSeconds * 1000,
      perf: { now: () => clock.nowMillis() },
    }),
    linkCache: new LRUCache<string, true>({ max: options.cacheMaxEntries }),
    erased: new LRUCache<Token, true>({
      max: options.cacheMaxEntries,
      ttl: options.cacheTtlSeconds * 1000,
      perf: { now: () => clock.nowMillis() },
    }),
    counters: {
      cacheHits: 0,
      cacheMisses: 0,
      singleFlightJoins: 0,
      created: 0,
      racesLost: 0,
      previousVersionHits: 0,
      linksWritten: 0,
      orphanPointers: 0,
      keyedTokens: 0,
      recordIds: 0,
    },
  };
}
