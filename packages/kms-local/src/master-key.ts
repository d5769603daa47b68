import { randomBytes } from 'node:crypto';
import { link, mkdir, open as openFile, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { open, seal } from './aes-gcm.ts';
import { KeystoreError } from './errors.ts';

/** Length of the local master key in bytes (AES-256). */
export const MASTER_KEY_BYTES = 32;

/** Name of the master key file inside dataDir/kms. */
export const MASTER_KEY_FILE = 'master.key';

/**
 * The local master key that wraps every KMS key's material at rest. It plays the part of the
 * HSMs behind AWS KMS: material leaves it only unwrapped in memory, for one operation.
 */
export interface MasterKey {
  /** Wraps key material; `label` (key id and version) is bound as AAD. Returns base64. */
  wrap(material: Buffer, label: string): string;
  /** Unwraps material wrapped by {@link MasterKey.wrap}; throws KeystoreError if it does not verify. */
  unwrap(wrapped: string, label: string): Buffer;
  /** Zeroes the master key in memory; the key cannot be used afterwards. */
  destroy(): void;
}

const aadFor = (label: string) => Buffer.from(`kms-local/key-material/v1|${label}`, 'utf8');

/**
 * Loads dir/master.key, creating it (32 random bytes, mode 0600, directory 0700) on first start.
 * Precondition: an existing file is exactly 32 bytes and readable by its owner only.
 */
export async function loadOrCreateMasterKey(dir: string): Promise<MasterKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, MASTER_KEY_FILE);
  await createIfMissing(path);
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new KeystoreError(
      `master key file is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
      path,
    );
  }
  const key = await readFile(path);
  if (key.length !== MASTER_KEY_BYTES) {
    key.fill(0);
    throw new KeystoreError(`master key file must hold ${MASTER_KEY_BYTES} bytes`, path);
  }
  return {
    wrap: (material, label) => seal(key, material, aadFor(label)).toString('base64'),
    unwrap(wrapped, label) {
      const material = open(key, Buffer.from(wrapped, 'base64'), aadFor(label));
      if (!material)
        throw new KeystoreError(`key material '${label}' does not unwrap under this master key`, path);
      return material;
    },
    destroy: () => key.fill(0),
  };
}

// Written to a private temp file, then hard-linked into place: link fails if the file exists,
// so two servers starting on one dataDir never see a half-written key or replace each other's.
async function createIfMissing(path: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    const handle = await openFile(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new KeystoreError('cannot create the master key file', path, { cause: error });
    }
  } finally {
    key.fill(0);
    await rm(temp, { force: true });
  }
}
