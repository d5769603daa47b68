import { IV_BYTES, open, seal, TAG_BYTES } from './aes-gcm.ts';
import { KmsApiError } from './errors.ts';

/**
 * Ciphertext blob format version 1, as returned in `CiphertextBlob`:
 *
 * | offset | bytes | field |
 * | --- | --- | --- |
 * | 0 | 1 | format version, 0x01 |
 * | 1 | 16 | key id (the UUID's 16 bytes) |
 * | 17 | 4 | key material version, uint32 big-endian |
 * | 21 | 12 | random IV |
 * | 33 | n | AES-256-GCM ciphertext |
 * | 33+n | 16 | GCM tag |
 *
 * AAD = bytes 0..21 (so the key id and version cannot be swapped) followed by the canonical
 * encryption context ({@link canonicalContext}).
 */
export const BLOB_FORMAT_VERSION = 1;

const HEADER_BYTES = 1 + 16 + 4;
const MIN_BLOB_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES;

/** What a ciphertext blob says about itself before it is decrypted. */
export interface BlobHeader {
  keyId: string;
  materialVersion: number;
}

/**
 * The encryption context as AAD bytes: entries sorted by key, serialized as a JSON array of
 * [key, value] pairs, so equal maps give equal bytes whatever order the caller wrote them in.
 */
export function canonicalContext(context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

function encodeHeader({ keyId, materialVersion }: BlobHeader): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(BLOB_FORMAT_VERSION, 0);
  Buffer.from(keyId.replaceAll('-', ''), 'hex').copy(header, 1);
  header.writeUInt32BE(materialVersion, 17);
  return header;
}

/** Encrypts `plaintext` under one version of a key's material, binding the encryption context. */
export function sealBlob(
  material: Buffer,
  header: BlobHeader,
  plaintext: Buffer,
  context?: Record<string, string>,
): Buffer {
  const head = encodeHeader(header);
  return Buffer.concat([head, seal(material, plaintext, Buffer.concat([head, canonicalContext(context)]))]);
}

/** Reads the key id and material version from a blob; InvalidCiphertextException if it is not ours. */
export function readBlobHeader(blob: Buffer): BlobHeader {
  if (blob.length < MIN_BLOB_BYTES || blob.readUInt8(0) !== BLOB_FORMAT_VERSION) {
    throw new KmsApiError('InvalidCiphertextException', 'The ciphertext is not a kms-local ciphertext blob');
  }
  const hex = blob.subarray(1, 17).toString('hex');
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { keyId, materialVersion: blob.readUInt32BE(17) };
}

/**
 * Decrypts a blob with the material its header names. A wrong or missing encryption context
 * fails GCM verification and raises InvalidCiphertextException, as AWS KMS does.
 */
export function openBlob(material: Buffer, blob: Buffer, context?: Record<string, string>): Buffer {
  const head = blob.subarray(0, HEADER_BYTES);
  const plaintext = open(
    material,
    blob.subarray(HEADER_BYTES),
    Buffer.concat([head, canonicalContext(context)]),
  );
  if (!plaintext) {
    throw new KmsApiError(
      'InvalidCiphertextException',
      'The ciphertext or its encryption context is not valid for this key',
    );
  }
  return plaintext;
}
