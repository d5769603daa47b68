import { mapWithConcurrency, type Token, TokenSchema } from '@residency/core';
import { z } from 'zod';
import type { AccessRequest } from './access.ts';
import { beginAdminCall, runAudited } from './admin-call.ts';
import type { VaultContext } from './context.ts';
import { openEntryValue } from './crypto/entry-crypto.ts';
import { InvalidTokenRequestError } from './errors.ts';
import { readEntriesByToken } from './subject.ts';

/** Most tokens one detokenize call may ask for. */
export const DETOKENIZE_MAX_TOKENS = 1000;

/** One revealed token. Personal data: return it to the authorized caller, never log it. */
export interface RevealedIdentifier {
  token: Token;
  kind: string;
  /** The normalized identifier. */
  value: string;
}

/** What `detokenize` returns. */
export interface DetokenizeResult {
  /** Id of the audit records of this call. */
  requestId: string;
  revealed: RevealedIdentifier[];
  /** Tokens the vault does not hold (never created, or erased). */
  missing: Token[];
}

const TokensSchema = z.array(TokenSchema).min(1).max(DETOKENIZE_MAX_TOKENS);

/**
 * Reveals the identifiers behind tokens, in region only. The call is authorized, then written
 * to the audit log (who, when, which tokens, why) before anything is read; if that write
 * fails, it throws AuditWriteError and reveals nothing. Strings that are not tokens are refused
 * after the policy (`InvalidTokenRequestError`, audited as `invalid` without them).
 */
export async function detokenize(
  ctx: VaultContext,
  rawTokens: readonly string[],
  access: AccessRequest,
): Promise<DetokenizeResult> {
  const call = await beginAdminCall(ctx, 'detokenize', access);
  return runAudited(call, async () => {
    const parsed = TokensSchema.safeParse(rawTokens);
    // The refused strings stay off the error and the audit record: they may not be tokens at all.
    if (!parsed.success) {
      throw new InvalidTokenRequestError(`detokenize takes 1..${DETOKENIZE_MAX_TOKENS} vault tokens`);
    }
    const tokens = [...new Set(parsed.data)];
    await call.record('requested', tokens);
    const entries = await readEntriesByToken(ctx, tokens);
    const revealed = await mapWithConcurrency([...entries.values()], 8, async (entry) => ({
      token: entry.token,
      kind: entry.ref.kind,
      value: await openEntryValue(ctx.resolver, ctx.vault, entry),
    }));
    return { requestId: call.requestId, revealed, missing: tokens.filter((t) => !entries.has(t)) };
  });
}
