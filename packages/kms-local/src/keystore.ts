import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { KeystoreError } from './errors.ts';
import {
  type AliasRecord,
  KEY_SPECS,
  type KeyMaterialRecord,
  type KeyRecord,
  type KeySpec,
  KeystoreFileSchema,
} from './key-record.ts';
import { loadOrCreateMasterKey } from './master-key.ts';

/** Name of the key metadata file inside dataDir/kms. */
export const KEYS_FILE = 'keys.json';

/**
 * Keys and aliases in memory, persisted to dataDir/kms/keys.json after every change, with key
 * material wrapped under the master key. Operations mutate the maps, then await {@link Keystore.save}.
 */
export interface Keystore {
  /** Keys by key id (UUID). */
  readonly keys: Map<string, KeyRecord>;
  /** Aliases by alias name (`alias/...`). */
  readonly aliases: Map<string, AliasRecord>;
  /** Makes and wraps fresh material for a key; the caller appends it to `key.materials`. */
  newMaterial(
    keyId: string,
    keySpec: KeySpec,
    version: number,
    type: KeyMaterialRecord['rotationType'],
  ): KeyMaterialRecord;
  /**
   * Runs `use` with one version of a key's material in clear (the newest when `version` is
   * omitted), then zeroes it. Postcondition: no plaintext material outlives the call.
   */
  withMaterial<T>(
    key: KeyRecord,
    version: number | undefined,
    use: (material: Buffer, version: number) => T,
  ): T;
  /** Writes keys.json atomically; writes are serialized so the last change always wins. */
  save(): Promise<void>;
  /** Waits for pending writes and zeroes the master key. */
  close(): Promise<void>;
}

/** Where the key store lives and which region and account it belongs to. */
export interface KeystoreOptions {
  dataDir: string;
  region: string;
  accountId: string;
  clock: () => Date;
}

/** Opens (or creates) the key store under `dataDir/kms`. Fails closed on any inconsistency. */
export async function openKeystore(options: KeystoreOptions): Promise<Keystore> {
  const dir = join(options.dataDir, 'kms');
  const master = await loadOrCreateMasterKey(dir);
  const path = join(dir, KEYS_FILE);
  const file = await readKeysFile(path, options);
  const keys = new Map(file.keys.map((key) => [key.keyId, key]));
  const aliases = new Map(file.aliases.map((alias) => [alias.aliasName, alias]));
  const label = (keyId: string, version: number) => `${keyId}/${version}`;
  let pending: Promise<void> = Promise.resolve();

  return {
    keys,
    aliases,
    newMaterial(keyId, keySpec, version, rotationType) {
      const material = randomBytes(KEY_SPECS[keySpec].materialBytes);
      try {
        const wrapped = master.wrap(material, label(keyId, version));
        return { version, createdAtMillis: options.clock().getTime(), rotationType, wrapped };
      } finally {
        material.fill(0);
      }
    },
    withMaterial(key, version, use) {
      const record =
        version === undefined ? key.materials.at(-1) : key.materials.find((m) => m.version === version);
      if (!record) throw new KeystoreError(`key ${key.keyId} has no material version ${version}`, path);
      const material = master.unwrap(record.wrapped, label(key.keyId, record.version));
      try {
        return use(material, record.version);
      } finally {
        material.fill(0);
      }
    },
    save() {
      const snapshot = JSON.stringify(
        {
          formatVersion: 1,
          region: options.region,
          accountId: options.accountId,
          keys: [...keys.values()],
          aliases: [...aliases.values()],
        },
        null,
        2,
      );
      pending = pending.catch(() => undefined).then(() => writeFileAtomic(path, snapshot));
      return pending;
    },
    async close() {
      await pending.catch(() => undefined);
      master.destroy();
    },
  };
}

async function readKeysFile(path: string, options: KeystoreOptions) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { keys: [], aliases: [] };
    }
    throw new KeystoreError('cannot read the key store', path, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeystoreError('the key store is not valid JSON', path, { cause: error });
  }
  const parsed = KeystoreFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeystoreError(
      `the key store does not parse at ${issue?.path.join('.')}: ${issue?.message}`,
      path,
    );
  }
  if (parsed.data.region !== options.region || parsed.data.accountId !== options.accountId) {
    throw new KeystoreError(
      `the key store belongs to ${parsed.data.region}/${parsed.data.accountId}, not ${options.region}/${options.accountId}; refusing to serve it`,
      path,
    );
  }
  return parsed.data;
}
