import type { KeyObject } from 'node:crypto';
import { type BatchSigner, createBatchSigner, signBatchRequest } from '../signing/index.ts';
import type { BatchSealer } from './batch-sealer.ts';

/** Options of {@link createSigningSealer}: a ready signer, or the key to make one. */
export type SigningSealerOptions =
  | { signer: BatchSigner }
  | {
      /** Ed25519 private key (PKCS#8 PEM or KeyObject). */
      privateKey: KeyObject | string;
      /** Key id the control plane knows the public key by. Default: derived from the public key. */
      keyId?: string;
    };

/**
 * The forwarder's {@link BatchSealer} over the Ed25519 signed-batch wire format: each attempt is
 * encoded with its own `sentAt` and signed over the exact body bytes.
 *
 * @example const sealer = createSigningSealer({ privateKey: privateKeyPem, keyId });
 */
export function createSigningSealer(options: SigningSealerOptions): BatchSealer & { readonly keyId: string } {
  const signer =
    'signer' in options
      ? options.signer
      : createBatchSigner({
          privateKey: options.privateKey,
          ...(options.keyId ? { keyId: options.keyId } : {}),
        });
  return {
    keyId: signer.keyId,
    seal: (batch) =>
      signBatchRequest(
        signer,
        { batchId: batch.batchId, sentAt: batch.sentAt, kind: batch.kind, count: batch.count },
        batch.body,
      ),
  };
}
