import type { Token } from '@residency/core';
import type { AccessRequest } from './access.ts';
import { beginAdminCall, runAudited } from './admin-call.ts';
import type { VaultContext } from './context.ts';
import { openEntryValue } from './crypto/entry-crypto.ts';
import { findToken, readEntriesByToken, resolveSubject, type SubjectRef } from './subject.ts';

/** One identifier the vault holds for a subject. Personal data: for the authorized caller only. */
export interface ExportedIdentifier {
  token: Token;
  kind: string;
  /** The normalized identifier. */
  value: string;
  /** When the vault first saw it (ISO 8601). */
  createdAt: string;
}

/** What `exportSubject` returns: the subject's own identifier and its linked contacts. */
export type ExportResult =
  | { outcome: 'found'; requestId: string; subject: ExportedIdentifier; contacts: ExportedIdentifier[] }
  | { outcome: 'not_found'; requestId: string };

/**
 * Everything the vault holds for a subject, for an access request: the subject's identifier and
 * every contact identifier linked to it, decrypted. Authorized, and audited (tokens only) before
 * anything is decrypted; a failed audit write reveals nothing. Every attempt leaves a record: a
 * lookup that fails (an ambiguous contact, a bad kind, a store error) is audited as `ambiguous`,
 * `invalid` or `failed`.
 */
export async function exportSubject(
  ctx: VaultContext,
  ref: SubjectRef,
  access: AccessRequest,
): Promise<ExportResult> {
  const call = await beginAdminCall(ctx, 'export', access);
  return runAudited(call, async () => {
    const token = await findToken(ctx, ref);
    if (token === undefined) {
      await call.record('not_found', []);
      return { outcome: 'not_found', requestId: call.requestId };
    }
    // An ambiguous contact throws here and is audited as `ambiguous` by runAudited.
    const { subject, contacts } = await resolveSubject(ctx, token);
    const tokens = [subject, ...contacts.map((c) => c.contactToken)];
    await call.record('requested', tokens);
    const entries = await readEntriesByToken(ctx, tokens);
    const open = async (t: Token): Promise<ExportedIdentifier | undefined> => {
      const entry = entries.get(t);
      if (!entry) return undefined;
      return {
        token: t,
        kind: entry.ref.kind,
        value: await openEntryValue(ctx.resolver, ctx.vault, entry),
        createdAt: new Date(entry.createdAtMillis).toISOString(),
      };
    };
    const subjectOut = await open(subject);
    if (!subjectOut) return { outcome: 'not_found', requestId: call.requestId };
    const contactsOut: ExportedIdentifier[] = [];
    for (const link of contacts) {
      const exported = await open(link.contactToken);
      if (exported) contactsOut.push(exported);
    }
    return { outcome: 'found', requestId: call.requestId, subject: subjectOut, contacts: contactsOut };
  });
}
