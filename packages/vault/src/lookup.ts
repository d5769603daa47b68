import type { Token } from '@residency/core';
import type { AccessRequest } from './access.ts';
import { beginAdminCall, runAudited } from './admin-call.ts';
import type { VaultContext } from './context.ts';
import { keyedTokenOf } from './tokenize.ts';

/** What `lookupKeyedToken` returns. */
export interface LookupResult {
  requestId: string;
  /** The identifier's keyed token: the one its records carry across the border. */
  token: Token;
}

/**
 * The keyed token of an identifier of a kind the catalog keys (an appointment id): the way to
 * find the rows of a known appointment in the analytics, since a keyed token has no entry to
 * detokenize. It links a value to its pseudonymous rows, so it is authorized and audited like
 * `export`: the `requested` record, with the token, is written before the token is returned; a
 * bad kind or value is audited `invalid`.
 *
 * Precondition: the kind is keyed in the catalog (for a random kind this is a token nothing carries).
 */
export async function lookupKeyedToken(
  ctx: VaultContext,
  identifier: { kind: string; value: string },
  access: AccessRequest,
): Promise<LookupResult> {
  const call = await beginAdminCall(ctx, 'lookup', access);
  return runAudited(call, async () => {
    const token = await keyedTokenOf(ctx, identifier.kind, identifier.value);
    await call.record('requested', [token]);
    return { requestId: call.requestId, token };
  });
}
