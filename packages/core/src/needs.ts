/** Raised when a named security or correctness invariant does not hold. A bug, never user input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/**
 * Executable precondition/postcondition, in the style of the AWS Encryption SDK's `needs`.
 * Messages name the invariant; they never contain data.
 *
 * @example needs(iv.length === 12, 'Precondition: GCM IV is 96 bits');
 */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
