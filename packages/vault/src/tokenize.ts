import {
  chunk,
  formatRecordId,
  formatToken,
  mapWithConcurrency,
  needs,
  RECORD_ID_LABEL,
  type Token,
  type TokenMap,
  type TokenRequest,
  tokenKey,
} from '@residency/core';
import type { BlindIndexer } from './blind-index.ts';
import { TOKEN_KEY_VERSION, type VaultContext } from './context.ts';
import { sealEntryValue } from './crypto/entry-crypto.ts';
import { InvalidTokenRequestError } from './errors.ts';
import {
  type GetEntriesOptions,
  type IndexRef,
  indexRefKey,
  type SubjectLink,
  type VaultEntry,
} from './store/vault-store.ts';

/** Kinds become part of item keys, so they are restricted to a safe alphabet. */
export const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Longest normalized identifier accepted, in UTF-16 code units. */
export const MAX_VALUE_LENGTH = 1024;

interface Miss {
  key: string;
  kind: string;
  value: string;
  resolve(token: Token): void;
  reject(error: unknown): void;
}

/**
 * The cache key of a keyed identifier: apart from a random one's, so that a kind whose scheme
 * changed never meets its old tokens.
 */
function keyedCacheKey(key: string): string {
  return `K${key}`;
}

/**
 * The tokenize algorithm, per batch: cache → single-flight → one batched read for the misses →
 * conditional creates, in parallel, for what is new → links. No per-identifier KMS call: new
 * values are sealed under the current data key, which is fetched once per lifetime. Keyed
 * identifiers skip the store: their token is computed from the token key and cached.
 *
 * Postcondition: every request's (kind, value), and every `linkTo`, has its token in the result;
 * concurrent callers (in this process through single-flight, across processes through the
 * conditional put) get the same token for the same identifier.
 */
export function createTokenize(ctx: VaultContext): (requests: readonly TokenRequest[]) => Promise<TokenMap> {
  const { cache, counters } = ctx;
  const inFlight = new Map<string, Promise<Token>>();

  return async function tokenize(requests) {
    const out = new Map<string, Token>();
    const misses: Miss[] = [];
    const joins: Promise<void>[] = [];

    const visit = (kind: string, value: string) => {
      const key = tokenKey(kind, value);
      if (out.has(key)) return;
      const cached = cache.get(key);
      if (cached !== undefined) {
        counters.cacheHits += 1;
        out.set(key, cached);
        return;
      }
      out.set(key, '' as Token); // placeholder: each key is visited once per batch
      const running = inFlight.get(key);
      if (running) {
        counters.singleFlightJoins += 1;
        const joined = running.then((token) => void out.set(key, token));
        joined.catch(noop); // handled: awaited below, unless this batch fails first
        joins.push(joined);
        return;
      }
      misses.push({ key, kind, value, resolve: noop, reject: noop });
    };

    const keyed: Array<{ key: string; request: TokenRequest }> = [];
    let linked = false;
    for (const request of requests) {
      if (request.keyed === true) {
        if (request.linkTo)
          throw new InvalidTokenRequestError('a keyed identifier cannot be linked', request.kind);
        const key = tokenKey(request.kind, request.value);
        if (out.has(key)) continue;
        const cached = cache.get(keyedCacheKey(key));
        if (cached !== undefined) {
          counters.cacheHits += 1;
          out.set(key, cached);
        } else {
          checkRequest(request.kind, request.value);
          keyed.push({ key, request });
        }
        continue;
      }
      visit(request.kind, request.value);
      if (request.linkTo) {
        visit(request.linkTo.kind, request.linkTo.value);
        linked = true;
      }
    }
    if (misses.length > 0) {
      // Validated before anything is claimed, so a bad request fails only its own batch.
      for (const miss of misses) checkRequest(miss.kind, miss.value);
      counters.cacheMisses += misses.length;
      for (const miss of misses) {
        const promise = new Promise<Token>((resolve, reject) => {
          miss.resolve = resolve;
          miss.reject = reject;
        });
        promise.catch(noop); // joiners see the failure through their own await
        inFlight.set(miss.key, promise);
      }
      const batch = misses;
      try {
        const tokens = await resolveFresh(ctx, batch);
        for (let i = 0; i < batch.length; i++) {
          const miss = batch[i] as Miss;
          const token = tokens[i] as Token;
          cache.set(miss.key, token);
          out.set(miss.key, token);
          miss.resolve(token);
        }
      } catch (error) {
        for (const miss of batch) miss.reject(error);
        throw error;
      } finally {
        for (const miss of batch) inFlight.delete(miss.key);
      }
    }
    if (joins.length > 0) await Promise.all(joins);
    // After the misses are claimed: a cold start's token key unwrap must not open a window in
    // which concurrent callers miss the single-flight.
    if (keyed.length > 0) await keyedTokens(ctx, keyed, out);
    if (linked) await writeLinks(ctx, requests, out);
    return out;
  };
}

function noop(): void {}

/**
 * Tokens of keyed identifiers that missed the cache (checked by the caller): the first 128 bits
 * of an HMAC-SHA256 under the token key, over (kind, value). Deterministic, so no store read or
 * write, no race and no single-flight; one KMS call per cold start, for the token key.
 */
async function keyedTokens(
  ctx: VaultContext,
  requests: ReadonlyArray<{ key: string; request: TokenRequest }>,
  out: Map<string, Token>,
) {
  const indexer = await ctx.tokenKeys.indexer(TOKEN_KEY_VERSION);
  for (const { key, request } of requests) {
    if (out.has(key)) continue; // the same identifier twice in the batch
    const token = keyedToken(indexer, request.kind, request.value);
    ctx.cache.set(keyedCacheKey(key), token);
    out.set(key, token);
    ctx.counters.keyedTokens += 1;
  }
}

function checkRequest(kind: string, value: string): void {
  // A kind that fails the pattern is not kept on the error: it may be a value in the wrong place.
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw new InvalidTokenRequestError('identifier kind is not usable');
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH) {
    throw new InvalidTokenRequestError(`a normalized value is 1..${MAX_VALUE_LENGTH} characters`, kind);
  }
}

/** Reads of an identifier whose token turned out to be erased meanwhile. */
const ERASED_REREADS = 3;

/**
 * {@link resolveMisses}, then again, with consistent reads, for any identifier whose token this
 * process erased while the batch was reading (the read saw the entry before the delete).
 *
 * Postcondition: no token this process erased is returned (or cached) once its erasure is done:
 * a later event for the same person gets a new token.
 */
async function resolveFresh(ctx: VaultContext, misses: readonly Miss[]): Promise<Token[]> {
  const tokens = await resolveMisses(ctx, misses);
  for (let attempt = 0; attempt < ERASED_REREADS; attempt++) {
    const stale = tokens.flatMap((token, i) => (ctx.erased.has(token) ? [i] : []));
    if (stale.length === 0) return tokens;
    const again = await resolveMisses(
      ctx,
      stale.map((i) => misses[i] as Miss),
      { consistentRead: true },
    );
    stale.forEach((i, j) => {
      tokens[i] = again[j] as Token;
    });
  }
  needs(
    !tokens.some((token) => ctx.erased.has(token)),
    'Postcondition: tokenize hands out no token this process erased',
  );
  return tokens;
}

/** Tokens for the misses, in order: found under the current index version, a previous one, or created. */
async function resolveMisses(
  ctx: VaultContext,
  misses: readonly Miss[],
  read: GetEntriesOptions = {},
): Promise<Token[]> {
  const { options, store } = ctx;
  const indexer = await ctx.indexKeys.indexer(options.indexKeyVersion);
  const refs: IndexRef[] = misses.map((m) => ({
    indexVersion: indexer.version,
    kind: m.kind,
    blindIndex: indexer.blindIndex(m.kind, m.value),
  }));
  const tokens: Array<Token | undefined> = new Array(misses.length);
  const found = await store.getEntries(refs, read);
  let open: number[] = [];
  refs.forEach((ref, i) => {
    const entry = found.get(indexRefKey(ref));
    if (entry) tokens[i] = entry.token;
    else open.push(i);
  });

  for (const version of options.previousIndexKeyVersions) {
    if (open.length === 0) break;
    const previous = await ctx.indexKeys.indexer(version);
    const oldRefs = open.map((i) => {
      const m = misses[i] as Miss;
      return { indexVersion: version, kind: m.kind, blindIndex: previous.blindIndex(m.kind, m.value) };
    });
    const oldFound = await store.getEntries(oldRefs, read);
    const still: number[] = [];
    open.forEach((i, j) => {
      const entry = oldFound.get(indexRefKey(oldRefs[j] as IndexRef));
      if (entry) {
        tokens[i] = entry.token;
        ctx.counters.previousVersionHits += 1;
      } else still.push(i);
    });
    open = still;
  }

  if (open.length > 0) {
    const created = await createEntries(
      ctx,
      open.map((i) => ({ miss: misses[i] as Miss, ref: refs[i] as IndexRef })),
    );
    open.forEach((i, j) => {
      tokens[i] = created[j];
    });
  }
  return tokens as Token[];
}

/**
 * Creates entries for new identifiers. Pointers are written first (they hold no personal data),
 * then each entry with a conditional put: the winner's token is the identifier's token, a loser
 * takes the winner's and removes its own pointer. A crash in between leaves at most a pointer
 * to an entry with another token, which resolves to nothing.
 */
async function createEntries(
  ctx: VaultContext,
  news: ReadonlyArray<{ miss: Miss; ref: IndexRef }>,
): Promise<Token[]> {
  const { store, random, vault, options, counters } = ctx;
  const now = options.clock.nowMillis();
  const entries: VaultEntry[] = [];
  for (const part of chunk(news, options.dataKeyMaxMessages)) {
    const sealed = await ctx.dataKeys.withDataKey(part.length, (material) =>
      part.map(({ miss, ref }) => {
        const token = formatToken(miss.kind, random.take(16));
        const envelope = sealEntryValue(material, vault, ref, token, miss.value, random);
        return { ref, token, envelope, createdAtMillis: now };
      }),
    );
    entries.push(...sealed);
  }
  await store.putPointers(entries.map(({ token, ref }) => ({ token, ref })));
  const outcomes = await mapWithConcurrency(entries, options.writeConcurrency, (entry) =>
    store.putEntryIfAbsent(entry),
  );
  const orphans: Token[] = [];
  const tokens = outcomes.map((outcome, i) => {
    const mine = (entries[i] as VaultEntry).token;
    if (outcome.outcome === 'created') {
      counters.created += 1;
      return mine;
    }
    counters.racesLost += 1;
    orphans.push(mine);
    return outcome.existing.token;
  });
  if (orphans.length > 0) {
    // Best effort: an orphan pointer names an entry holding another token, so it resolves to nothing.
    await store.deletePointers(orphans).catch(() => {
      counters.orphanPointers += orphans.length;
    });
  }
  return tokens;
}

/**
 * The keyed token of one identifier, for the audited lookup (`lookupKeyedToken`): what `tokenize`
 * gives a keyed request for it.
 */
export async function keyedTokenOf(ctx: VaultContext, kind: string, value: string): Promise<Token> {
  checkRequest(kind, value);
  return keyedToken(await ctx.tokenKeys.indexer(TOKEN_KEY_VERSION), kind, value);
}

/**
 * A keyed token: the first 128 bits of the token key's HMAC over (kind, value), as a token of
 * `kind` (core's `keyedTokenUnder`, with the key kept inside the indexer).
 */
function keyedToken(indexer: BlindIndexer, kind: string, value: string): Token {
  return formatToken(kind, indexer.mac(kind, value).subarray(0, 16));
}

/**
 * Record ids for event ids: a version 8 UUID from an HMAC-SHA256 under the token key. Not
 * cached: nearly every event id is new, so a cache of them would only evict identifiers' tokens.
 *
 * Postcondition: one id per event id, in order; the same event id gets the same id in every
 * process of this vault, for good.
 */
export function createRecordIds(
  ctx: VaultContext,
): (eventIds: readonly string[]) => Promise<readonly string[]> {
  return async function recordIds(eventIds) {
    for (const id of eventIds) {
      if (typeof id !== 'string' || id.length === 0 || id.length > MAX_VALUE_LENGTH)
        throw new InvalidTokenRequestError(`an event id is 1..${MAX_VALUE_LENGTH} characters`);
    }
    if (eventIds.length === 0) return [];
    const key = await ctx.tokenKeys.indexer(TOKEN_KEY_VERSION);
    ctx.counters.recordIds += eventIds.length;
    return eventIds.map((id) => formatRecordId(key.mac(RECORD_ID_LABEL, id)));
  };
}

/** Stores the links of contact identifiers to their subjects, once per pair per process. */
async function writeLinks(
  ctx: VaultContext,
  requests: readonly TokenRequest[],
  tokens: TokenMap,
): Promise<void> {
  const pending = new Map<string, SubjectLink>();
  for (const request of requests) {
    if (!request.linkTo) continue;
    const contactToken = tokens.get(tokenKey(request.kind, request.value));
    const subjectToken = tokens.get(tokenKey(request.linkTo.kind, request.linkTo.value));
    if (!contactToken || !subjectToken || contactToken === subjectToken) continue;
    const key = `${contactToken}>${subjectToken}`;
    if (ctx.linkCache.has(key) || pending.has(key)) continue;
    pending.set(key, {
      subjectToken,
      subjectKind: request.linkTo.kind,
      contactToken,
      contactKind: request.kind,
    });
  }
  if (pending.size === 0) return;
  await ctx.store.putLinks([...pending.values()]);
  for (const key of pending.keys()) ctx.linkCache.set(key, true);
  ctx.counters.linksWritten += pending.size;
}
