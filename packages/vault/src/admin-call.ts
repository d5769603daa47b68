import { randomUUID } from 'node:crypto';
import type { Token } from '@residency/core';
import { type AccessRequest, type AdminAction, checkAccessRequest, shapeOf } from './access.ts';
import type { AuditOutcome, AuditRecord } from './audit/audit-log.ts';
import type { VaultContext } from './context.ts';
import {
  AmbiguousSubjectError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  UnauthorizedError,
} from './errors.ts';
import { safeErrorName } from './safe-error.ts';

/** An authorized, audited admin call in progress. */
export interface AuditedCall {
  requestId: string;
  access: AccessRequest;
  /** Appends a record of this call; throws AuditWriteError if it cannot. */
  record(
    outcome: AuditOutcome,
    tokens: readonly Token[],
    extra?: { count?: number; noticeId?: string },
  ): Promise<void>;
  /**
   * Records how the call failed (`ambiguous`, `invalid` or `failed`, with the error's name as the
   * reason and no message); best effort, never throws. See {@link runAudited}.
   */
  recordFailure(error: unknown, facts?: FailureFacts): Promise<void>;
}

/** What a failed call's record may add: the notice id an erasure had made. */
export interface FailureFacts {
  noticeId?: string;
}

/**
 * Starts an admin call: checks who and why (`checkAccessRequest`: pattern and PII scan), asks the
 * policy, and audits a refusal before throwing it: `invalid` ({@link InvalidAccessRequestError})
 * and `denied` ({@link UnauthorizedError}) records keep the actor only as a shape and a keyed
 * digest, never as text. The caller writes the `requested` record before it reveals or changes
 * anything, and runs the rest through {@link runAudited} so that a failure is audited too.
 */
export async function beginAdminCall(
  ctx: VaultContext,
  action: AdminAction,
  rawAccess: unknown,
): Promise<AuditedCall> {
  const requestId = randomUUID();
  const append = (record: Omit<AuditRecord, 'requestId' | 'action' | 'atMillis'>) =>
    ctx.audit.append({ requestId, action, atMillis: ctx.options.clock.nowMillis(), ...record });
  const checked = checkAccessRequest(rawAccess);
  if (!checked.ok) {
    const rawActor = (rawAccess as { actor?: unknown } | undefined)?.actor;
    // Refusals are recorded if at all possible; the caller is refused either way.
    await append({
      outcome: 'invalid',
      tokens: [],
      count: 0,
      ...(await refusedActor(ctx, rawActor)),
      reason: checked.issues.map((i) => [i.field, i.code, ...(i.rules ?? [])].join(':')).join(' '),
    }).catch(() => undefined);
    throw new InvalidAccessRequestError(checked.issues);
  }
  const { access } = checked;
  let allowed: boolean;
  try {
    allowed = (await ctx.options.authorize(access.actor, action)) === true;
  } catch (error) {
    // A policy that cannot answer (its backing service is down) denies, and the attempt is
    // recorded like a denial, with the error's name: every call leaves a record.
    await append({
      outcome: 'failed',
      tokens: [],
      count: 0,
      ...(await refusedActor(ctx, access.actor)),
      purpose: access.purpose,
      reason: safeErrorName(error),
    }).catch(() => undefined);
    throw error;
  }
  if (!allowed) {
    await append({
      outcome: 'denied',
      tokens: [],
      count: 0,
      ...(await refusedActor(ctx, access.actor)),
      purpose: access.purpose,
    }).catch(() => undefined);
    throw new UnauthorizedError(action);
  }
  const who = { actor: access.actor, purpose: access.purpose };
  return {
    requestId,
    access,
    record: (outcome, tokens, extra = {}) =>
      append({
        outcome,
        ...who,
        tokens,
        count: extra.count ?? tokens.length,
        ...(extra.noticeId ? { noticeId: extra.noticeId } : {}),
      }),
    async recordFailure(error, facts = {}) {
      const reason = safeErrorName(error);
      const attempt =
        error instanceof AmbiguousSubjectError
          ? append({
              outcome: 'ambiguous',
              ...who,
              tokens: [error.contactToken, ...error.subjectTokens],
              count: error.subjectTokens.length,
              reason,
            })
          : append({
              outcome: error instanceof InvalidTokenRequestError ? 'invalid' : 'failed',
              ...who,
              tokens: [],
              count: 0,
              reason,
              ...(facts.noticeId ? { noticeId: facts.noticeId } : {}),
            });
      await attempt.catch(() => undefined);
    },
  };
}

/**
 * Runs the rest of an admin call; if it throws, the failure is audited
 * ({@link AuditedCall.recordFailure}) before the error goes on, so every attempt leaves a record,
 * a failed resolution too.
 *
 * @example return runAudited(call, async (facts) => { facts.noticeId = noticeId; ... })
 */
export async function runAudited<T>(
  call: AuditedCall,
  work: (facts: FailureFacts) => Promise<T>,
): Promise<T> {
  const facts: FailureFacts = {};
  try {
    return await work(facts);
  } catch (error) {
    await call.recordFailure(error, facts);
    throw error;
  }
}

/** Domain of actor digests: not a kind any entry can have (KIND_PATTERN starts with a letter). */
const ACTOR_DIGEST_DOMAIN = '#audit-actor';

/**
 * What the audit keeps of a refused actor: its shape, and a digest keyed by the current index key
 * (domain separated, so it equals no blind index). An unkeyed hash would fall to a dictionary of
 * phone numbers; the keyed one cannot be tested without the key. No digest if the key cannot be
 * loaded (the refusal is recorded anyway).
 */
async function refusedActor(
  ctx: VaultContext,
  actor: unknown,
): Promise<{ actorShape: string; actorDigest?: string }> {
  if (typeof actor !== 'string') return { actorShape: `(${actor === null ? 'null' : typeof actor})` };
  const text = actor.trim();
  try {
    const indexer = await ctx.indexKeys.indexer(ctx.options.indexKeyVersion);
    const digest = indexer.blindIndex(ACTOR_DIGEST_DOMAIN, text).slice(0, 32);
    return { actorShape: shapeOf(text), actorDigest: `${indexer.version}:${digest}` };
  } catch {
    return { actorShape: shapeOf(text) };
  }
}
