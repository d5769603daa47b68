/**
 * Signed batches: the wire format between the forwarder (in region) and the control plane
 * (elsewhere), Ed25519 signatures over the exact body bytes, and their verification.
 */
export { digestBody } from './digest.ts';
export {
  ed25519PrivateKey,
  ed25519PublicKey,
  generateSigningKeyPair,
  keyIdFor,
  type SigningKeyPair,
} from './keys.ts';
export {
  type BatchSigner,
  type BatchSignerOptions,
  createBatchSigner,
  type SignedBatchRequest,
  signBatchRequest,
} from './signer.ts';
export {
  type BatchRejection,
  type BatchVerification,
  type BatchVerifier,
  type BatchVerifierOptions,
  createBatchVerifier,
  type ReceivedBatch,
} from './verifier.ts';
export {
  BatchKindSchema,
  encodeSignedBatch,
  KeyIdSchema,
  SIGNED_BATCH_HEADERS,
  SIGNED_BATCH_VERSION,
  type SignedBatch,
  type SignedBatchFields,
  SignedBatchSchema,
} from './wire-format.ts';
