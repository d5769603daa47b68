import type { Token } from '@residency/core';

/** What an audited call did. */
export type AuditAction = 'detokenize' | 'export' | 'erase' | 'reindex' | 'lookup';

/**
 * How far it got: `requested` is written before anything is revealed or changed; `denied` for
 * an actor the policy refuses; `invalid` for an actor, purpose, kind or token the vault refuses
 * to read; `ambiguous` for a contact linked to several subjects; `failed` for any other failure
 * after the call began (the `reason` names the error); `completed` / `not_found` afterwards (the
 * erasure receipt is the `completed` record of an `erase`).
 */
export type AuditOutcome =
  | 'requested'
  | 'denied'
  | 'invalid'
  | 'ambiguous'
  | 'failed'
  | 'completed'
  | 'not_found';

/**
 * One line of the in-region audit log: who, when, which tokens, why. Tokens only, never
 * identifiers, and no text the vault did not check: `actor` and `purpose` are kept only once they
 * passed the vault's checks (`checkAccessRequest`: pattern and PII scan), and `actor` only for an
 * actor the policy allowed. An actor that was refused is kept as `actorShape` and `actorDigest`.
 */
export interface AuditRecord {
  /** Ties the records of one call together. */
  requestId: string;
  action: AuditAction;
  outcome: AuditOutcome;
  /**
   * The principal that asked, once the policy allowed it: absent on `denied`, and on an `invalid`
   * record of a refused actor or purpose (those keep `actorShape` and `actorDigest`).
   */
  actor?: string;
  /** Why it asked (a checked short reason, e.g. a ticket id); absent when the purpose was refused. */
  purpose?: string;
  /**
   * A refused actor (`denied`, `invalid`): HMAC-SHA256 under the vault's index key, domain
   * separated from blind indexes, as `<indexVersion>:<32 hex>`. Equal actors give equal digests,
   * so repeated attempts show; without the key (in region, KMS) nobody can test a guess. Absent
   * if the key could not be loaded.
   */
  actorDigest?: string;
  /** A refused actor's shape (`shapeOf`: `9{11}` for an 11-digit number), never its text. */
  actorShape?: string;
  /** Why a call was refused or failed: refused fields (`actor:pii:phone`) or an error name. */
  reason?: string;
  /** The tokens concerned (pseudonyms). */
  tokens: readonly Token[];
  /** How many items the call concerned (tokens asked for, entries re-indexed). */
  count: number;
  atMillis: number;
  /** Id of the erasure notice, on an erasure receipt. */
  noticeId?: string;
}

/**
 * The port to the audit log. `append` resolves only once the record is durable; callers reveal
 * nothing until it has. {@link createDynamoDbAuditLog} is the adapter, {@link createMemoryAuditLog} the fake.
 */
export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
}
