import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { needs, type Token } from '@residency/core';
import {
  type IndexRef,
  indexRefKey,
  type SubjectLink,
  type TokenPointer,
  type VaultEntry,
  type WrappedKeyRecord,
} from './vault-store.ts';

/**
 * The vault table's item layout (one table, key `pk` (S) + `sk` (S)):
 *
 * | pk | sk | attributes | what |
 * | --- | --- | --- | --- |
 * | `IDX#<ver>#<kind>#<blindIndex>` | `ENTRY` | token, env (B), createdAt | identifier → token, value sealed |
 * | `TOK#<token>` | `ENTRY` | idx | token → its entry (no personal data) |
 * | `TOK#<subject>` | `LINK#<contact>` | subjectKind, contactKind | subject → contact |
 * | `TOK#<contact>` | `SUBJECT#<subject>` | subjectKind, contactKind | contact → subject |
 * | `IK#<ver>` | `KEY` | wrapped (B), keyArn, createdAt | index key, wrapped only |
 * | `TK#<ver>` | `KEY` | wrapped (B), keyArn, createdAt | token key of keyed identifiers, wrapped only |
 * | `DK#<hex id>` | `KEY` | wrapped (B), keyArn, createdAt | data key, wrapped only |
 */
export type Item = Record<string, AttributeValue>;

/** Sort key of entries and pointers. */
export const ENTRY_SK = 'ENTRY';
/** Sort key of wrapped keys. */
export const KEY_SK = 'KEY';

/** The key of an entry item. */
export function entryKey(ref: IndexRef): Item {
  return { pk: { S: indexRefKey(ref) }, sk: { S: ENTRY_SK } };
}

/** The key of a token pointer item. */
export function pointerKey(token: Token): Item {
  return { pk: { S: `TOK#${token}` }, sk: { S: ENTRY_SK } };
}

/** Parses `IDX#<ver>#<kind>#<blindIndex>` back into a ref. */
export function parseIndexRef(pk: string): IndexRef {
  const [tag, indexVersion, kind, blindIndex, ...rest] = pk.split('#');
  needs(
    tag === 'IDX' && indexVersion && kind && blindIndex && rest.length === 0,
    'Postcondition: an entry key has four parts',
  );
  return { indexVersion, kind, blindIndex };
}

/** An entry as an item. */
export function entryToItem(entry: VaultEntry): Item {
  return {
    ...entryKey(entry.ref),
    token: { S: entry.token },
    env: { B: entry.envelope },
    createdAt: { N: String(entry.createdAtMillis) },
  };
}

/** An item as an entry. */
export function itemToEntry(item: Item): VaultEntry {
  const pk = item.pk?.S;
  const token = item.token?.S;
  const envelope = item.env?.B;
  needs(pk && token && envelope, 'Postcondition: an entry item has pk, token and env');
  return { ref: parseIndexRef(pk), token, envelope, createdAtMillis: Number(item.createdAt?.N ?? 0) };
}

/** A pointer as an item. */
export function pointerToItem(pointer: TokenPointer): Item {
  return { ...pointerKey(pointer.token), idx: { S: indexRefKey(pointer.ref) } };
}

/** An item as a pointer. */
export function itemToPointer(item: Item): TokenPointer {
  const pk = item.pk?.S;
  const idx = item.idx?.S;
  needs(
    typeof pk === 'string' && pk.startsWith('TOK#') && idx,
    'Postcondition: a pointer item has pk and idx',
  );
  return { token: pk.slice(4), ref: parseIndexRef(idx) };
}

/** Both items of a link. */
export function linkItems(link: SubjectLink): [Item, Item] {
  const kinds = { subjectKind: { S: link.subjectKind }, contactKind: { S: link.contactKind } };
  return [
    { pk: { S: `TOK#${link.subjectToken}` }, sk: { S: `LINK#${link.contactToken}` }, ...kinds },
    { pk: { S: `TOK#${link.contactToken}` }, sk: { S: `SUBJECT#${link.subjectToken}` }, ...kinds },
  ];
}

/** A link item (either direction) as a link; undefined for other items of the partition. */
export function itemToLink(item: Item): SubjectLink | undefined {
  const pk = item.pk?.S ?? '';
  const sk = item.sk?.S ?? '';
  const subjectKind = item.subjectKind?.S ?? '';
  const contactKind = item.contactKind?.S ?? '';
  const own = pk.slice(4);
  if (sk.startsWith('LINK#'))
    return { subjectToken: own, subjectKind, contactToken: sk.slice(5), contactKind };
  if (sk.startsWith('SUBJECT#'))
    return { subjectToken: sk.slice(8), subjectKind, contactToken: own, contactKind };
  return undefined;
}

/** A wrapped key as an item. */
export function wrappedKeyToItem(record: WrappedKeyRecord): Item {
  return {
    pk: { S: record.id },
    sk: { S: KEY_SK },
    wrapped: { B: record.wrapped },
    keyArn: { S: record.keyArn },
    createdAt: { N: String(record.createdAtMillis) },
  };
}

/** An item as a wrapped key. */
export function itemToWrappedKey(item: Item): WrappedKeyRecord {
  const id = item.pk?.S;
  const wrapped = item.wrapped?.B;
  needs(id && wrapped, 'Postcondition: a key item has pk and wrapped');
  return { id, wrapped, keyArn: item.keyArn?.S ?? '', createdAtMillis: Number(item.createdAt?.N ?? 0) };
}
