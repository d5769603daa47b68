import { chunk, mapWithConcurrency } from '@residency/core';
import type { AccessRequest } from './access.ts';
import { beginAdminCall, runAudited } from './admin-call.ts';
import { INDEX_VERSION_PATTERN } from './blind-index.ts';
import type { VaultContext } from './context.ts';
import { openEntryValue, sealEntryValue } from './crypto/entry-crypto.ts';
import { InvalidTokenRequestError } from './errors.ts';
import type { IndexRef, VaultEntry } from './store/vault-store.ts';

/** Options of `reindex`. */
export interface ReindexOptions {
  /** The index version entries are moved from, e.g. `v1`. */
  fromVersion: string;
  /** The index version they are moved to, e.g. `v2` (its key is created on first use). */
  toVersion: string;
}

/** What `reindex` did. */
export interface ReindexResult {
  requestId: string;
  /** Entries moved to the new version (same token, new blind index, re-sealed). */
  migrated: number;
  /**
   * Entries whose identifier already had a *different* token under the new version (a process
   * ran with the new version and without `previousIndexKeyVersions`). Left in place for review.
   */
  conflicts: number;
}

/**
 * Moves every entry from one index key version to another, keeping tokens: each value is
 * decrypted, blind-indexed under the new key, sealed under the new encryption context and put
 * with a conditional create; then its pointer is moved and the old entry deleted. Resumable and
 * idempotent: a re-run skips what was moved.
 *
 * The runbook (docs in the README): deploy processes with `indexKeyVersion: 'v2'` and
 * `previousIndexKeyVersions: ['v1']` (lookups fall back to v1, so nobody gets a second token),
 * run `reindex({ fromVersion: 'v1', toVersion: 'v2' })`, then drop `previousIndexKeyVersions`.
 */
export async function reindex(
  ctx: VaultContext,
  options: ReindexOptions,
  access: AccessRequest,
): Promise<ReindexResult> {
  const call = await beginAdminCall(ctx, 'reindex', access);
  return runAudited(call, async () => {
    // Checked inside the audited call, so a refused re-index leaves an `invalid` record too. A
    // version is part of every entry key: `v1#patient` would scan one kind, `` nothing at all.
    const { fromVersion, toVersion } = (options ?? {}) as Partial<ReindexOptions>;
    if (
      typeof fromVersion !== 'string' ||
      typeof toVersion !== 'string' ||
      !INDEX_VERSION_PATTERN.test(fromVersion) ||
      !INDEX_VERSION_PATTERN.test(toVersion) ||
      fromVersion === toVersion
    ) {
      throw new InvalidTokenRequestError('re-indexing moves between two index versions (v1, v2, ...)');
    }
    await call.record('requested', [], { count: 0 });
    const target = await ctx.indexKeys.indexer(toVersion);
    let migrated = 0;
    let conflicts = 0;
    for await (const page of ctx.store.scanEntries(fromVersion)) {
      for (const part of chunk(page, Math.min(ctx.options.dataKeyMaxMessages, 500))) {
        const values = await mapWithConcurrency(part, ctx.options.writeConcurrency, (entry) =>
          openEntryValue(ctx.resolver, ctx.vault, entry),
        );
        const moved = await ctx.dataKeys.withDataKey(part.length, (material) =>
          part.map((entry, i): VaultEntry => {
            const value = values[i] as string;
            const ref: IndexRef = {
              indexVersion: target.version,
              kind: entry.ref.kind,
              blindIndex: target.blindIndex(entry.ref.kind, value),
            };
            return {
              ref,
              token: entry.token,
              envelope: sealEntryValue(material, ctx.vault, ref, entry.token, value, ctx.random),
              createdAtMillis: entry.createdAtMillis,
            };
          }),
        );
        const outcomes = await mapWithConcurrency(moved, ctx.options.writeConcurrency, (entry) =>
          ctx.store.putEntryIfAbsent(entry),
        );
        const done: Array<{ old: VaultEntry; moved: VaultEntry }> = [];
        outcomes.forEach((outcome, i) => {
          const old = part[i] as VaultEntry;
          if (outcome.outcome === 'exists' && outcome.existing.token !== old.token) conflicts += 1;
          else done.push({ old, moved: moved[i] as VaultEntry });
        });
        await ctx.store.putPointers(done.map(({ moved: m }) => ({ token: m.token, ref: m.ref })));
        await ctx.store.deleteEntries(done.map(({ old }) => old.ref));
        migrated += done.length;
      }
    }
    await call.record('completed', [], { count: migrated });
    return { requestId: call.requestId, migrated, conflicts };
  });
}
