import type { Token } from '@residency/core';
import {
  type IndexRef,
  indexRefKey,
  type PutIfAbsentOutcome,
  type SubjectLink,
  type TokenLinks,
  type TokenPointer,
  type VaultEntry,
  type VaultStore,
  type WrappedKeyRecord,
} from './vault-store.ts';

/** A {@link VaultStore} in memory, with call counts and a view of everything held, for tests. */
export interface MemoryVaultStore extends VaultStore {
  /** Calls so far by method name. */
  readonly calls: Readonly<Record<string, number>>;
  /** Everything the store holds, as plain values (to assert nothing is stored in clear). */
  dump(): unknown[];
}

/**
 * Creates a {@link MemoryVaultStore}. Same semantics as the DynamoDB adapter: conditional
 * creates are atomic, deletes are idempotent, links are stored in both directions. Each call
 * yields to the event loop once, so concurrent callers interleave as they do over the network.
 *
 * @example const vault = createVaultWithPorts({ store: createMemoryVaultStore(), ... })
 */
export function createMemoryVaultStore(): MemoryVaultStore {
  const keys = new Map<string, WrappedKeyRecord>();
  const entries = new Map<string, VaultEntry>();
  const pointers = new Map<Token, TokenPointer>();
  const links = new Map<string, SubjectLink>();
  const calls: Record<string, number> = {};
  const tick = async (method: string) => {
    calls[method] = (calls[method] ?? 0) + 1;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const linkKey = (l: SubjectLink) => `${l.subjectToken}>${l.contactToken}`;

  return {
    calls,
    dump: () => [...keys.values(), ...entries.values(), ...pointers.values(), ...links.values()],
    async getWrappedKey(id) {
      await tick('getWrappedKey');
      return keys.get(id);
    },
    async putWrappedKeyIfAbsent(record): Promise<PutIfAbsentOutcome<WrappedKeyRecord>> {
      await tick('putWrappedKeyIfAbsent');
      const existing = keys.get(record.id);
      if (existing) return { outcome: 'exists', existing };
      keys.set(record.id, record);
      return { outcome: 'created' };
    },
    async getEntries(refs: readonly IndexRef[]) {
      await tick('getEntries');
      const out = new Map<string, VaultEntry>();
      for (const ref of refs) {
        const entry = entries.get(indexRefKey(ref));
        if (entry) out.set(indexRefKey(ref), entry);
      }
      return out;
    },
    async putEntryIfAbsent(entry): Promise<PutIfAbsentOutcome<VaultEntry>> {
      await tick('putEntryIfAbsent');
      const key = indexRefKey(entry.ref);
      const existing = entries.get(key);
      if (existing) return { outcome: 'exists', existing };
      entries.set(key, entry);
      return { outcome: 'created' };
    },
    async deleteEntries(refs) {
      await tick('deleteEntries');
      for (const ref of refs) entries.delete(indexRefKey(ref));
    },
    async putPointers(list) {
      await tick('putPointers');
      for (const pointer of list) pointers.set(pointer.token, pointer);
    },
    async getPointers(tokens) {
      await tick('getPointers');
      const out = new Map<Token, TokenPointer>();
      for (const token of tokens) {
        const pointer = pointers.get(token);
        if (pointer) out.set(token, pointer);
      }
      return out;
    },
    async deletePointers(tokens) {
      await tick('deletePointers');
      for (const token of tokens) pointers.delete(token);
    },
    async putLinks(list) {
      await tick('putLinks');
      for (const link of list) links.set(linkKey(link), link);
    },
    async getLinks(token): Promise<TokenLinks> {
      await tick('getLinks');
      const all = [...links.values()];
      return {
        contacts: all.filter((l) => l.subjectToken === token),
        subjects: all.filter((l) => l.contactToken === token),
      };
    },
    async deleteLinks(list) {
      await tick('deleteLinks');
      for (const link of list) links.delete(linkKey(link));
    },
    async *scanEntries(indexVersion) {
      await tick('scanEntries');
      const page = [...entries.values()].filter((e) => e.ref.indexVersion === indexVersion);
      if (page.length > 0) yield page;
    },
  };
}
