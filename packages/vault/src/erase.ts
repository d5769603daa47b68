import { randomUUID } from 'node:crypto';
import { type ErasureNotice, ErasureNoticeSchema, needs, type Token } from '@residency/core';
import type { AccessRequest } from './access.ts';
import { beginAdminCall, runAudited } from './admin-call.ts';
import type { VaultContext } from './context.ts';
import { ErasureNoticeDeliveryError } from './errors.ts';
import type { SubjectLink } from './store/vault-store.ts';
import { findToken, readEntriesByToken, resolveSubject, type SubjectRef } from './subject.ts';

/** What `eraseSubject` returns. */
export type EraseResult =
  | {
      outcome: 'erased';
      requestId: string;
      /** The notice for the control plane (tokens only), handed to the ErasureSink (if any) before the deletes. */
      notice: ErasureNotice;
      /** Contacts shared with another subject: their link to this subject is gone, their entry stays. */
      keptContacts: Token[];
    }
  | { outcome: 'not_found'; requestId: string };

/**
 * Erases a data subject (named by any of its identifiers or tokens): its entry and those of its
 * contact identifiers are deleted with their pointers and links, so the tokens resolve to nothing
 * (crypto-shredding: the ciphertext is gone) and a later event for the same person gets a new
 * token. A contact also linked to another subject keeps its entry and loses only this link.
 *
 * Order: audit `requested` (with the notice id) → hand the notice to the sink → delete entries →
 * pointers → links → evict from this process's cache → audit the receipt (`completed`, with the
 * notice id). The notice goes first because it is the only step that cannot be redone later: once
 * the pointers are gone the tokens cannot be found again, so a notice lost after the deletes
 * would leave the control plane's rows of the subject forever. A sink that fails throws
 * {@link ErasureNoticeDeliveryError} with nothing erased; a failure after it leaves a notice out
 * and the erasure half done, and repeating the erasure by token finishes it (with a second
 * notice, which the control plane applies idempotently). Other warm processes stop handing out
 * the old tokens within `cacheTtlSeconds`. A call that fails after it began (an ambiguous
 * contact, an undelivered notice, a failed delete) is audited as `ambiguous` or `failed`, with
 * the notice id once there is one.
 */
export async function eraseSubject(
  ctx: VaultContext,
  ref: SubjectRef,
  access: AccessRequest,
): Promise<EraseResult> {
  const call = await beginAdminCall(ctx, 'erase', access);
  return runAudited(call, async (facts) => {
    const found = await findToken(ctx, ref);
    if (found === undefined) {
      await call.record('not_found', []);
      return { outcome: 'not_found', requestId: call.requestId };
    }
    const { subject, contacts } = await resolveSubject(ctx, found);
    const noticeId = randomUUID();
    facts.noticeId = noticeId;
    await call.record('requested', [subject, ...contacts.map((c) => c.contactToken)], { noticeId });

    const erased: Token[] = [subject];
    const keptContacts: Token[] = [];
    const links: SubjectLink[] = [...contacts];
    for (const contact of contacts) {
      const others = (await ctx.store.getLinks(contact.contactToken)).subjects;
      if (others.some((l) => l.subjectToken !== subject)) keptContacts.push(contact.contactToken);
      else erased.push(contact.contactToken);
    }
    needs(erased.length <= 1000, 'Precondition: an erasure notice names at most 1000 tokens');

    const notice = ErasureNoticeSchema.parse({
      schema: 'residency.erasure.v1',
      noticeId,
      erasedAt: new Date(ctx.options.clock.nowMillis()).toISOString(),
      tokens: erased,
    });
    // Precondition: the notice is on its way before anything is deleted (see above).
    if (ctx.options.erasureSink) {
      try {
        await ctx.options.erasureSink.send(notice);
      } catch (cause) {
        throw new ErasureNoticeDeliveryError(notice, { cause });
      }
    }

    // Only entries that hold an erased token: a pointer whose entry holds another token (an
    // orphan of a lost race, or an edited item) must not take that other token's entry with it.
    const entries = await readEntriesByToken(ctx, erased);
    await ctx.store.deleteEntries([...entries.values()].map((entry) => entry.ref));
    await ctx.store.deletePointers(erased);
    await ctx.store.deleteLinks(links);
    evict(ctx, new Set(erased), subject);
    await call.record('completed', erased, { noticeId });
    return { outcome: 'erased', requestId: call.requestId, notice, keptContacts };
  });
}

/**
 * Drops erased tokens from this process's caches (a linear pass: erasure is rare) and remembers
 * them, so a tokenize whose read raced the deletes reads again instead of caching one.
 */
function evict(ctx: VaultContext, erased: ReadonlySet<Token>, subject: Token): void {
  for (const token of erased) ctx.erased.set(token, true);
  for (const [key, token] of ctx.cache.entries()) if (erased.has(token)) ctx.cache.delete(key);
  for (const key of ctx.linkCache.keys()) {
    const [contact, linkedSubject] = key.split('>');
    if (linkedSubject === subject || erased.has(contact as Token)) ctx.linkCache.delete(key);
  }
}
