import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createBatchSigner,
  createBatchVerifier,
  generateSigningKeyPair,
  SIGNED_BATCH_HEADERS,
  signBatchRequest,
} from '../../src/signing/index.ts';

const NOW = Date.parse('2026-11-27T07:00:00.000Z');
const pair = generateSigningKeyPair();
const signer = createBatchSigner({ privateKey: pair.privateKeyPem });
const verifier = createBatchVerifier({ keys: { [pair.keyId]: pair.publicKeyPem }, now: () => NOW });

const fields = fc.record({
  batchId: fc.uuid(),
  sentAt: fc.integer({ min: NOW - 300_000, max: NOW + 300_000 }).map((t) => new Date(t).toISOString()),
  kind: fc.constantFrom('records' as const, 'aggregates' as const, 'erasure' as const),
});

describe('signed batches (property)', () => {
  it('verify(sign(b)) holds, and fails with any single bit of the body flipped', () => {
    fc.assert(
      fc.property(
        fields,
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.nat(),
        fc.nat(7),
        (f, items, at, bit) => {
          // Prepare
          const request = signBatchRequest(signer, { ...f, count: items.length }, JSON.stringify(items));
          const flipped = Buffer.from(request.body);
          const index = at % flipped.length;
          flipped[index] = flipped[index]! ^ (1 << bit);

          // Act
          const good = verifier.verify(request);
          const bad = verifier.verify({ body: flipped, headers: request.headers });

          // Assess
          expect(good.ok).toBe(true);
          if (good.ok) expect(good.batch.body).toEqual(JSON.parse(JSON.stringify(items)));
          expect(bad).toEqual({ ok: false, reason: 'bad-signature' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a signature over arbitrary bytes verifies against those bytes only, and never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(), fc.nat(7), (bytes, at, bit) => {
        // Prepare: arbitrary bytes are signed, but are not a batch
        const body = Buffer.from(bytes);
        const headers = {
          [SIGNED_BATCH_HEADERS.signature]: signer.sign(body),
          [SIGNED_BATCH_HEADERS.keyId]: pair.keyId,
        };
        // Act
        const result = verifier.verify({ body, headers });
        // Assess: the signature holds, so any refusal is about the content
        expect(result).toEqual({ ok: false, reason: 'malformed' });
        if (body.length > 0) {
          const flipped = Buffer.from(body);
          flipped[at % body.length] = flipped[at % body.length]! ^ (1 << bit);
          expect(verifier.verify({ body: flipped, headers })).toEqual({ ok: false, reason: 'bad-signature' });
        }
      }),
      { numRuns: 300 },
    );
  });
});
