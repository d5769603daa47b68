import { z } from 'zod';
import { KmsApiError } from './errors.ts';

/**
 * A base64 blob field, decoded to a Buffer and checked for its decoded length in bytes, as the
 * KMS API reference states the limits (e.g. Plaintext 1..4096, CiphertextBlob 1..6144).
 */
export function blobSchema(minBytes: number, maxBytes: number) {
  return z.base64().transform((value, ctx) => {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length < minBytes || bytes.length > maxBytes) {
      bytes.fill(0);
      ctx.issues.push({
        code: 'custom',
        input: undefined,
        message: `Member must have length between ${minBytes} and ${maxBytes} bytes`,
      });
      return z.NEVER;
    }
    return bytes;
  });
}

/** `KeyId`: a key id, key ARN, alias name or alias ARN (1..2048 characters). */
export const KeyIdSchema = z.string().min(1).max(2048);

const isJsonObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `EncryptionContext`: string keys and values, bound as AAD. Read through a Map so that every key
 * the caller sent counts, `__proto__` included: an object-building parser would drop it silently,
 * and a context pair that is dropped is a pair that is not bound (AWS binds it like any other).
 */
export const EncryptionContextSchema = z
  .preprocess(
    (value) => (isJsonObject(value) ? new Map(Object.entries(value)) : value),
    z.map(z.string().min(1), z.string()),
  )
  .transform((entries): Record<string, string> => Object.fromEntries(entries))
  .optional();

/** `GrantTokens`: accepted for compatibility and ignored (this endpoint has no grants). */
export const GrantTokensSchema = z.array(z.string().min(1).max(8192)).max(10).optional();

/**
 * `EncryptionAlgorithm`: the API's whole enum. Values outside it are ValidationException; values
 * in it that a symmetric key does not support are InvalidKeyUsageException, as AWS answers
 * (see `requireSymmetricAlgorithm` in resolve.ts).
 */
export const EncryptionAlgorithmSchema = z
  .enum(['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'])
  .optional();

/** `Limit` and `Marker` for list operations. */
export const PageSchema = {
  Limit: z.number().int().min(1).max(1000).optional(),
  Marker: z.string().min(1).max(1024).optional(),
};

/**
 * Parses a request body against an operation's schema. A member of the wrong JSON type (a number
 * for a string, an array for a map) is SerializationException, as AWS's JSON deserializer answers
 * before any validation. Other failures become ValidationException with AWS's phrasing and the
 * field's name, e.g. "1 validation error detected: Value at 'KeyId' failed to satisfy
 * constraint: Member must not be null". Values are never echoed back.
 */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    if (issue.code === 'invalid_type' && issue.input !== undefined && issue.input !== null) {
      const field = issue.path.map(String).join('.') || '(body)';
      throw new KmsApiError(
        'SerializationException',
        `Value at '${field}' is not of the expected type (${issue.expected})`,
      );
    }
  }
  const issues = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const constraint = missing ? 'Member must not be null' : issue.message;
    return `Value at '${field}' failed to satisfy constraint: ${constraint}`;
  });
  const count = issues.length === 1 ? '1 validation error' : `${issues.length} validation errors`;
  throw new KmsApiError('ValidationException', `${count} detected: ${issues.join('; ')}`);
}
