import { z } from 'zod';
import type { Operation } from '../context.ts';
import { toBase64AndZero } from '../context.ts';
import { arnOf, findKey } from '../resolve.ts';
import { decryptBlob, encryptWithKey } from '../symmetric.ts';
import {
  blobSchema,
  EncryptionAlgorithmSchema,
  EncryptionContextSchema,
  GrantTokensSchema,
  KeyIdSchema,
  parseInput,
} from '../validation.ts';

// Size limits from the API reference: Plaintext 1..4096 bytes, CiphertextBlob 1..6144 bytes.
const PlaintextSchema = blobSchema(1, 4096);
const CiphertextBlobSchema = blobSchema(1, 6144);

const EncryptSchema = z.object({
  KeyId: KeyIdSchema,
  Plaintext: PlaintextSchema,
  EncryptionContext: EncryptionContextSchema,
  EncryptionAlgorithm: EncryptionAlgorithmSchema,
  GrantTokens: GrantTokensSchema,
});

/** Encrypt: up to 4 KiB under a symmetric key; `KeyId` in the response is the key ARN. */
export const encrypt: Operation = async (body, ctx) => {
  const input = parseInput(EncryptSchema, body);
  try {
    const key = findKey(ctx, input.KeyId);
    const blob = await encryptWithKey(
      ctx,
      key,
      input.Plaintext,
      input.EncryptionContext,
      'Encrypt',
      input.EncryptionAlgorithm,
    );
    return {
      CiphertextBlob: blob.toString('base64'),
      KeyId: arnOf(ctx, key),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  } finally {
    input.Plaintext.fill(0);
  }
};

const DecryptSchema = z.object({
  CiphertextBlob: CiphertextBlobSchema,
  KeyId: KeyIdSchema.optional(),
  EncryptionContext: EncryptionContextSchema,
  EncryptionAlgorithm: EncryptionAlgorithmSchema,
  GrantTokens: GrantTokensSchema,
});

/**
 * Decrypt: `KeyId` is optional (the blob names its key); when given it must be the blob's key.
 * The encryption context must equal the one used to encrypt.
 */
export const decrypt: Operation = async (body, ctx) => {
  const input = parseInput(DecryptSchema, body);
  const { key, plaintext } = decryptBlob(
    ctx,
    input.CiphertextBlob,
    input.EncryptionContext,
    input.KeyId,
    'Decrypt',
    input.EncryptionAlgorithm,
  );
  return {
    KeyId: arnOf(ctx, key),
    Plaintext: toBase64AndZero(plaintext),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
};

const ReEncryptSchema = z.object({
  CiphertextBlob: CiphertextBlobSchema,
  SourceKeyId: KeyIdSchema.optional(),
  SourceEncryptionContext: EncryptionContextSchema,
  SourceEncryptionAlgorithm: EncryptionAlgorithmSchema,
  DestinationKeyId: KeyIdSchema,
  DestinationEncryptionContext: EncryptionContextSchema,
  DestinationEncryptionAlgorithm: EncryptionAlgorithmSchema,
  GrantTokens: GrantTokensSchema,
});

/** ReEncrypt: decrypts and encrypts again under another key or context; the plaintext never leaves. */
export const reEncrypt: Operation = async (body, ctx) => {
  const input = parseInput(ReEncryptSchema, body);
  const source = decryptBlob(
    ctx,
    input.CiphertextBlob,
    input.SourceEncryptionContext,
    input.SourceKeyId,
    'ReEncrypt',
    input.SourceEncryptionAlgorithm,
  );
  try {
    const destination = findKey(ctx, input.DestinationKeyId);
    const blob = await encryptWithKey(
      ctx,
      destination,
      source.plaintext,
      input.DestinationEncryptionContext,
      'ReEncrypt',
      input.DestinationEncryptionAlgorithm,
    );
    return {
      CiphertextBlob: blob.toString('base64'),
      SourceKeyId: arnOf(ctx, source.key),
      KeyId: arnOf(ctx, destination),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  } finally {
    source.plaintext.fill(0);
  }
};
