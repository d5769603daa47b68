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

/** `EncryptionContext`: string keys and values, bound as AAD. */
export const EncryptionContextSchema = z.record(z.string().min(1), z.string()).optional();

/** `GrantTokens`: accepted for compatibility and ignored (this endpoint has no grants). */
export const GrantTokensSchema = z.array(z.string().min(1).max(8192)).max(10).optional();

/** `EncryptionAlgorithm`: only the symmetric default exists for symmetric keys. */
export const EncryptionAlgorithmSchema = z.literal('SYMMETRIC_DEFAULT').optional();

/** `Limit` and `Marker` for list operations. */
export const PageSchema = {
  Limit: z.number().int().min(1).max(1000).optional(),
  Marker: z.string().min(1).max(1024).optional(),
};

/**
 * Parses a request body against an operation's schema. Failures become ValidationException with
 * AWS's phrasing and the field's name, e.g. "1 validation error detected: Value at 'KeyId'
 * failed to satisfy constraint: Member must not be null". Values are never echoed back.
 */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const constraint = missing ? 'Member must not be null' : issue.message;
    return `Value at '${field}' failed to satisfy constraint: ${constraint}`;
  });
  const count = issues.length === 1 ? '1 validation error' : `${issues.length} validation errors`;
  throw new KmsApiError('ValidationException', `${count} detected: ${issues.join('; ')}`);
}
