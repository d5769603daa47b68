import type { Token } from '@residency/core';

/** Where an identifier's entry lives: index version, kind and blind index (a keyed HMAC, hex). */
export interface IndexRef {
  /** Index key version, e.g. `v1`. */
  indexVersion: string;
  kind: string;
  /** Hex HMAC-SHA256 of the normalized identifier under the index key of {@link indexVersion}. */
  blindIndex: string;
}

/** The partition key of an entry: `IDX#<indexVersion>#<kind>#<blindIndex>`. */
export function indexRefKey(ref: IndexRef): string {
  return `IDX#${ref.indexVersion}#${ref.kind}#${ref.blindIndex}`;
}

/** One identifier in the vault: its token and its original value, encrypted. */
export interface VaultEntry {
  ref: IndexRef;
  token: Token;
  /** The normalized identifier sealed in an envelope (see crypto/envelope.ts). Never a plain value. */
  envelope: Uint8Array;
  createdAtMillis: number;
}

/** Token → entry, for detokenize, export and erasure by token. Holds no personal data. */
export interface TokenPointer {
  token: Token;
  ref: IndexRef;
}

/** A contact identifier (phone, email, national id) linked to the subject it was seen with. */
export interface SubjectLink {
  subjectToken: Token;
  subjectKind: string;
  contactToken: Token;
  contactKind: string;
}

/** The links of one token: contacts linked to it (it is a subject) and subjects it is linked to (it is a contact). */
export interface TokenLinks {
  contacts: SubjectLink[];
  subjects: SubjectLink[];
}

/** A key stored only wrapped by the master key: an index key (`IK#v1`), the token key (`TK#v1`) or a data key (`DK#<hex id>`). */
export interface WrappedKeyRecord {
  id: string;
  wrapped: Uint8Array;
  /** ARN of the master key that wrapped it. */
  keyArn: string;
  createdAtMillis: number;
}

/** The outcome of a conditional create: created, or somebody else's item already there (read back). */
export type PutIfAbsentOutcome<T> = { outcome: 'created' } | { outcome: 'exists'; existing: T };

/** Options of {@link VaultStore.getEntries}. */
export interface GetEntriesOptions {
  /** Strongly consistent read. Default: false (half the read cost; a stale miss only costs a failed conditional put). */
  consistentRead?: boolean;
}

/**
 * The vault's persistence port. The algorithm (vault.ts) is written against it; the DynamoDB
 * adapter and the in-memory fake implement it with the same semantics, so every behaviour is
 * tested on the fake and the adapter's own tests run against dynalite.
 */
export interface VaultStore {
  /** Reads a wrapped key by id (strongly consistent). */
  getWrappedKey(id: string): Promise<WrappedKeyRecord | undefined>;
  /** Stores a wrapped key unless one with that id exists; the loser of a race gets the winner's. */
  putWrappedKeyIfAbsent(record: WrappedKeyRecord): Promise<PutIfAbsentOutcome<WrappedKeyRecord>>;
  /** Reads entries in batches, keyed by {@link indexRefKey}; absent refs are absent from the map. */
  getEntries(refs: readonly IndexRef[], options?: GetEntriesOptions): Promise<Map<string, VaultEntry>>;
  /** Creates an entry unless one exists for its ref; if one does, returns it. */
  putEntryIfAbsent(entry: VaultEntry): Promise<PutIfAbsentOutcome<VaultEntry>>;
  /** Deletes entries (crypto-shredding: the envelope goes with them). */
  deleteEntries(refs: readonly IndexRef[]): Promise<void>;
  /** Writes token pointers (idempotent, batched). */
  putPointers(pointers: readonly TokenPointer[]): Promise<void>;
  /** Reads token pointers in batches; absent tokens are absent from the map. */
  getPointers(tokens: readonly Token[]): Promise<Map<Token, TokenPointer>>;
  /** Deletes token pointers. */
  deletePointers(tokens: readonly Token[]): Promise<void>;
  /** Writes links, both directions (idempotent, batched). */
  putLinks(links: readonly SubjectLink[]): Promise<void>;
  /** The links of a token, both directions. */
  getLinks(token: Token): Promise<TokenLinks>;
  /** Deletes links, both directions. */
  deleteLinks(links: readonly SubjectLink[]): Promise<void>;
  /** Every entry of an index version, a page at a time (for re-indexing). */
  scanEntries(indexVersion: string): AsyncIterable<VaultEntry[]>;
}
