import type { Token } from '@residency/core';

/** What an audited call did. */
export type AuditAction = 'detokenize' | 'export' | 'erase' | 'reindex';

/**
 * How far it got: `requested` is written before anything is revealed or changed; `denied` for
 * an unauthorized actor; `completed` / `not_found` afterwards (the erasure receipt is the
 * `completed` record of an `erase`).
 */
export type AuditOutcome = 'requested' | 'denied' | 'completed' | 'not_found';

/** One line of the in-region audit log: who, when, which tokens, why. Tokens only, never identifiers. */
export interface AuditRecord {
  /** Ties the records of one call together. */
  requestId: string;
  action: AuditAction;
  outcome: AuditOutcome;
  /** The principal that asked. */
  actor: string;
  /** Why it asked (free text from the caller, e.g. a ticket id). */
  purpose: string;
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
