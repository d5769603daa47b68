import { type Token, TokenSchema } from '@residency/core';
import type { VaultContext } from './context.ts';
import { AmbiguousSubjectError, InvalidTokenRequestError } from './errors.ts';
import type { SubjectLink, VaultEntry } from './store/vault-store.ts';
import { indexRefKey } from './store/vault-store.ts';
import { KIND_PATTERN, MAX_VALUE_LENGTH } from './tokenize.ts';

/** A data subject named by one of its identifiers (normalized) or by a token. */
export type SubjectRef = { identifier: { kind: string; value: string } } | { token: string };

/**
 * The token an identifier or token refers to, if the vault knows it: identifiers are looked up
 * under the current and previous index versions; a token counts if its pointer or a link exists
 * (so a half-finished erasure can be finished by token).
 */
export async function findToken(ctx: VaultContext, ref: SubjectRef): Promise<Token | undefined> {
  if ('token' in ref) {
    const parsed = TokenSchema.safeParse(ref.token);
    if (!parsed.success) throw new InvalidTokenRequestError('the subject token is not a vault token');
    const token = parsed.data;
    const [pointers, links] = await Promise.all([ctx.store.getPointers([token]), ctx.store.getLinks(token)]);
    return pointers.has(token) || links.contacts.length > 0 || links.subjects.length > 0 ? token : undefined;
  }
  const { kind, value } = ref.identifier;
  // The caller's kind and value stay off the error: a swapped KIND:VALUE puts the value in `kind`.
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw new InvalidTokenRequestError(
      'the identifier kind is not a kind (a letter, then letters, digits, _.-)',
    );
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH) {
    throw new InvalidTokenRequestError(`an identifier value is 1..${MAX_VALUE_LENGTH} characters`);
  }
  for (const version of [ctx.options.indexKeyVersion, ...ctx.options.previousIndexKeyVersions]) {
    const indexer = await ctx.indexKeys.indexer(version);
    const indexRef = { indexVersion: version, kind, blindIndex: indexer.blindIndex(kind, value) };
    const found = await ctx.store.getEntries([indexRef], { consistentRead: true });
    const entry = found.get(indexRefKey(indexRef));
    if (entry) return entry.token;
  }
  return undefined;
}

/** A subject and the contacts linked to it. */
export interface ResolvedSubject {
  subject: Token;
  contacts: SubjectLink[];
}

/**
 * The subject of a token: the token itself, or, for a contact identifier's token, the one
 * subject it is linked to. A contact linked to several subjects is refused
 * ({@link AmbiguousSubjectError}): acting on "its" subject would touch another person's data.
 */
export async function resolveSubject(ctx: VaultContext, token: Token): Promise<ResolvedSubject> {
  const links = await ctx.store.getLinks(token);
  const subjects = [...new Set(links.subjects.map((l) => l.subjectToken))];
  if (subjects.length > 1) throw new AmbiguousSubjectError(token, subjects);
  const subject = subjects[0];
  if (subject === undefined) return { subject: token, contacts: links.contacts };
  return { subject, contacts: (await ctx.store.getLinks(subject)).contacts };
}

/**
 * The entries of tokens, through their pointers. A pointer whose entry holds another token (an
 * orphan from a lost race) resolves to nothing.
 */
export async function readEntriesByToken(
  ctx: VaultContext,
  tokens: readonly Token[],
): Promise<Map<Token, VaultEntry>> {
  const out = new Map<Token, VaultEntry>();
  if (tokens.length === 0) return out;
  const pointers = await ctx.store.getPointers(tokens);
  const refs = [...pointers.values()].map((p) => p.ref);
  const entries = await ctx.store.getEntries(refs, { consistentRead: true });
  for (const pointer of pointers.values()) {
    const entry = entries.get(indexRefKey(pointer.ref));
    if (entry && entry.token === pointer.token) out.set(pointer.token, entry);
  }
  return out;
}
