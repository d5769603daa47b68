/** Key-value pairs that a ciphertext is bound to: decrypting under any other context fails. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * The canonical bytes of an encryption context, used as AES-GCM additional authenticated data:
 * the pairs sorted by key, as JSON. Sorting makes `{a, b}` and `{b, a}` the same context;
 * JSON makes the encoding unambiguous (no separator a value could contain).
 *
 * @example canonicalContext({ vault: 'residency-vault', kind: 'phone', blindIndex: 'ab12…' })
 */
export function canonicalContext(context: EncryptionContext): Buffer {
  const keys = Object.keys(context).sort();
  const pairs: Array<[string, string]> = [];
  for (const key of keys) pairs.push([key, context[key] as string]);
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/**
 * The encryption context of a vault entry's original value: it binds the ciphertext to the
 * vault, the identifier's kind, the index version and blind index, and the token, so a
 * ciphertext copied onto another entry (or another vault) does not decrypt.
 */
export function entryContext(entry: {
  vault: string;
  kind: string;
  indexVersion: string;
  blindIndex: string;
  token: string;
}): EncryptionContext {
  return {
    vault: entry.vault,
    purpose: 'entry',
    kind: entry.kind,
    indexVersion: entry.indexVersion,
    blindIndex: entry.blindIndex,
    token: entry.token,
  };
}

const SAFE = /^[A-Za-z0-9_.#-]*$/;

/**
 * `canonicalContext(entryContext(entry))` without the generic sort and JSON encoding (≈10x
 * cheaper; it runs once per new identifier). Every part is from a restricted alphabet (table
 * name, kind, version, hex, token), so no JSON escaping is needed; anything else falls back to
 * the generic encoding. A test holds both equal.
 */
export function entryAad(entry: {
  vault: string;
  kind: string;
  indexVersion: string;
  blindIndex: string;
  token: string;
}): Buffer {
  const { vault, kind, indexVersion, blindIndex, token } = entry;
  if (
    !(
      SAFE.test(vault) &&
      SAFE.test(kind) &&
      SAFE.test(indexVersion) &&
      SAFE.test(blindIndex) &&
      SAFE.test(token)
    )
  ) {
    return canonicalContext(entryContext(entry));
  }
  return Buffer.from(
    `[["blindIndex","${blindIndex}"],["indexVersion","${indexVersion}"],["kind","${kind}"],["purpose","entry"],["token","${token}"],["vault","${vault}"]]`,
    'latin1',
  );
}
