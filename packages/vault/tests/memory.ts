import type { Clock } from '@residency/core';
import {
  createMemoryAuditLog,
  createMemoryKeyProvider,
  createMemoryVaultStore,
  createVaultWithPorts,
  type ErasureSink,
  type MemoryAuditLog,
  type MemoryKeyProvider,
  type MemoryVaultStore,
  type Vault,
  type VaultTuning,
} from '../src/index.ts';
import { aliceOnly } from './fixtures.ts';

/** A vault on the in-memory fakes, and the fakes themselves for assertions. */
export interface MemoryVault {
  vault: Vault;
  store: MemoryVaultStore;
  audit: MemoryAuditLog;
  keys: MemoryKeyProvider;
  /** Another vault instance over the same store, audit and keys (a second Lambda). */
  another(tuning?: VaultTuning): Vault;
}

/** A settable clock. */
export function manualClock(
  startMillis = Date.parse('2026-01-01T00:00:00Z'),
): Clock & { advance(ms: number): void } {
  let now = startMillis;
  return {
    nowMillis: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Creates a vault over fresh in-memory ports; ALICE is authorized. */
export function memoryVault(
  options: VaultTuning & { clock?: Clock; erasureSink?: ErasureSink } = {},
): MemoryVault {
  const store = createMemoryVaultStore();
  const audit = createMemoryAuditLog();
  const keys = createMemoryKeyProvider();
  const make = (more: VaultTuning = {}) =>
    createVaultWithPorts({
      store,
      audit,
      keys,
      vaultName: 'test-vault',
      authorize: aliceOnly,
      ...options,
      ...more,
    });
  return { vault: make(), store, audit, keys, another: make };
}
