import { type Clock, systemClock } from '@residency/core';
import { z } from 'zod';
import { type AuthorizePolicy, denyAll } from './access.ts';
import { INDEX_VERSION_PATTERN } from './blind-index.ts';
import type { ErasureSink } from './erasure-sink.ts';
import { VaultConfigurationError } from './errors.ts';

const positiveInt = z.number().int().positive();

/** The tunable options of a vault, validated at creation. */
export const VaultTuningSchema = z.object({
  /** Identifiers whose token is kept in memory (LRU). Default 100,000. */
  cacheMaxEntries: positiveInt.default(100_000),
  /**
   * A cached token is re-read after this long. Bounds how long another warm instance can keep
   * handing out an erased subject's token. Default 300.
   */
  cacheTtlSeconds: z.number().positive().default(300),
  /** A data key encrypts for at most this long. Default 300. */
  dataKeyMaxAgeSeconds: z.number().positive().default(300),
  /** A data key encrypts at most this many values. Default 100,000. */
  dataKeyMaxMessages: positiveInt.default(100_000),
  /** Conditional PutItems for new identifiers in flight at once. Default 16. */
  writeConcurrency: positiveInt.max(256).default(16),
  /** The index key version new entries are written under. Default `v1`. */
  indexKeyVersion: z.string().regex(INDEX_VERSION_PATTERN).default('v1'),
  /**
   * Older versions still looked up while a re-index runs (an identifier found there keeps its
   * token). Default none.
   */
  previousIndexKeyVersions: z.array(z.string().regex(INDEX_VERSION_PATTERN)).default([]),
});

/** See {@link VaultTuningSchema}. */
export type VaultTuning = z.input<typeof VaultTuningSchema>;

/** Options every vault takes besides its ports or clients. */
export interface VaultCommonOptions extends VaultTuning {
  /** Time for key lifetimes, cache TTLs and audit records. Default the system clock. */
  clock?: Clock;
  /** Who may detokenize, export, erase, re-index. Default {@link denyAll}. */
  authorize?: AuthorizePolicy;
  /** Where erasure notices go besides the return value (the pipeline's outbox). Default none. */
  erasureSink?: ErasureSink;
}

/** Options with defaults applied. */
export type ResolvedVaultOptions = z.output<typeof VaultTuningSchema> & {
  clock: Clock;
  authorize: AuthorizePolicy;
  erasureSink: ErasureSink | undefined;
};

/** Validates options; throws {@link VaultConfigurationError} naming the bad one. */
export function resolveVaultOptions(options: VaultCommonOptions): ResolvedVaultOptions {
  const parsed = VaultTuningSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join('.') ?? '';
    throw new VaultConfigurationError(`vault option '${setting}': ${issue?.message}`, setting);
  }
  if (parsed.data.previousIndexKeyVersions.includes(parsed.data.indexKeyVersion)) {
    throw new VaultConfigurationError(
      'previousIndexKeyVersions must not include indexKeyVersion',
      'previousIndexKeyVersions',
    );
  }
  return {
    ...parsed.data,
    clock: options.clock ?? systemClock,
    authorize: options.authorize ?? denyAll,
    erasureSink: options.erasureSink,
  };
}
