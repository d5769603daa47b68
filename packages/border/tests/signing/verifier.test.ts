import { randomUUID } from 'node:crypto';
import { InvariantError } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { BorderConfigurationError } from '../../src/errors.ts';
import {
  type BatchSigner,
  createBatchSigner,
  createBatchVerifier,
  generateSigningKeyPair,
  SIGNED_BATCH_HEADERS,
  type SignedBatchRequest,
  signBatchRequest,
} from '../../src/signing/index.ts';

const NOW = Date.parse('2026-11-27T07:00:00.000Z');
const now = () => NOW;
const pair = generateSigningKeyPair();
const other = generateSigningKeyPair();
const signer = createBatchSigner({ privateKey: pair.privateKeyPem });

function signedRequest(
  options: { signer?: BatchSigner; sentAtMillis?: number; items?: unknown[]; batchId?: string } = {},
): SignedBatchRequest {
  const items = options.items ?? [{ recordId: randomUUID(), attributes: { department: 'cardiology' } }];
  return signBatchRequest(
    options.signer ?? signer,
    {
      batchId: options.batchId ?? randomUUID(),
      sentAt: new Date(options.sentAtMillis ?? NOW).toISOString(),
      kind: 'records',
      count: items.length,
    },
    JSON.stringify(items),
  );
}

const verifier = createBatchVerifier({ keys: { [pair.keyId]: pair.publicKeyPem }, now });

describe('createBatchVerifier', () => {
  it('round trip: a batch signed with a known key verifies and yields the parsed batch', () => {
    // Prepare
    const items = [{ a: 1 }, { b: [2, 3] }];
    const request = signedRequest({ items });
    // Act
    const result = verifier.verify(request);
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.batch.body).toEqual(items);
    expect(result.batch.keyId).toBe(pair.keyId);
    expect(result.batch.batchId).toBe(request.headers[SIGNED_BATCH_HEADERS.batchId]);
  });

  it('reads header names in any case', () => {
    // Prepare
    const request = signedRequest();
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    // Act / Assess
    expect(verifier.verify({ body: request.body, headers }).ok).toBe(true);
  });

  it('refuses a body with any one byte changed: bad-signature', () => {
    // Prepare
    const request = signedRequest();
    for (let i = 0; i < request.body.length; i++) {
      const body = Buffer.from(request.body);
      body[i] = body[i]! ^ 0x01;
      // Act / Assess
      expect(verifier.verify({ body, headers: request.headers })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('refuses a batch signed by another key under a known key id: bad-signature', () => {
    // Prepare
    const impostor = createBatchSigner({ privateKey: other.privateKeyPem, keyId: pair.keyId });
    // Act / Assess
    expect(verifier.verify(signedRequest({ signer: impostor }))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a key id it does not know: unknown-key', () => {
    const stranger = createBatchSigner({ privateKey: other.privateKeyPem });
    expect(verifier.verify(signedRequest({ signer: stranger }))).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('refuses a retired key id even while its key is still listed: retired-key', () => {
    // Prepare
    const rotating = createBatchVerifier({
      keys: { [pair.keyId]: pair.publicKeyPem, [other.keyId]: other.publicKeyPem },
      retiredKeyIds: [pair.keyId],
      now,
    });
    const fresh = createBatchSigner({ privateKey: other.privateKeyPem });
    // Act / Assess
    expect(rotating.verify(signedRequest())).toEqual({ ok: false, reason: 'retired-key' });
    expect(rotating.verify(signedRequest({ signer: fresh })).ok).toBe(true);
  });

  it('refuses a batch sent more than maxSkewMillis ago (stale) or ahead (future), accepts the edges', () => {
    // Prepare
    const skew = 300_000;
    // Act / Assess
    expect(verifier.verify(signedRequest({ sentAtMillis: NOW - skew - 1 }))).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifier.verify(signedRequest({ sentAtMillis: NOW + skew + 1 }))).toEqual({
      ok: false,
      reason: 'future',
    });
    expect(verifier.verify(signedRequest({ sentAtMillis: NOW - skew })).ok).toBe(true);
    expect(verifier.verify(signedRequest({ sentAtMillis: NOW + skew })).ok).toBe(true);
  });

  it('honours a custom maxSkewMillis and clock', () => {
    // Prepare
    const strict = createBatchVerifier({
      keys: { [pair.keyId]: pair.publicKeyPem },
      maxSkewMillis: 1000,
      now: () => NOW + 2000,
    });
    // Act / Assess
    expect(strict.verify(signedRequest())).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a request without a signature header: missing-signature', () => {
    // Prepare
    const { [SIGNED_BATCH_HEADERS.signature]: _, ...headers } = signedRequest().headers;
    // Act / Assess
    expect(verifier.verify({ body: signedRequest().body, headers })).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    expect(verifier.verify({ body: Buffer.from('[]'), headers: {} })).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('refuses a signature header sent twice (ambiguous) as missing', () => {
    const request = signedRequest();
    const signature = request.headers[SIGNED_BATCH_HEADERS.signature]!;
    const headers = { ...request.headers, [SIGNED_BATCH_HEADERS.signature]: [signature, signature] };
    expect(verifier.verify({ body: request.body, headers })).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('refuses a signature that is not 64 bytes of base64: bad-signature', () => {
    const request = signedRequest();
    for (const signature of [
      'AAAA',
      'not base64 at all!',
      `${request.headers[SIGNED_BATCH_HEADERS.signature]!}AAAA`,
    ]) {
      const headers = { ...request.headers, [SIGNED_BATCH_HEADERS.signature]: signature };
      expect(verifier.verify({ body: request.body, headers })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('refuses headers that disagree with the signed body: malformed', () => {
    // Prepare
    const request = signedRequest();
    const cases = [
      { [SIGNED_BATCH_HEADERS.batchId]: randomUUID() },
      { [SIGNED_BATCH_HEADERS.timestamp]: new Date(NOW - 1000).toISOString() },
    ];
    for (const change of cases) {
      // Act / Assess
      expect(verifier.verify({ body: request.body, headers: { ...request.headers, ...change } })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
    const { [SIGNED_BATCH_HEADERS.keyId]: _, ...noKeyId } = request.headers;
    expect(verifier.verify({ body: request.body, headers: noKeyId })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses a validly signed body that is not a well-formed batch as malformed, without throwing', () => {
    // Prepare: bodies signed by the right key, so only their content is wrong
    const good = JSON.parse(signedRequest().body.toString('utf8'));
    const bodies = [
      '{"version":1,', // not JSON
      '',
      '\u0000\u00ff',
      'null',
      '[]',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, count: good.count + 1 }),
      JSON.stringify({ ...good, kind: 'secrets' }),
      JSON.stringify({ ...good, extra: true }),
      JSON.stringify({ ...good, batchId: 'not-a-uuid' }),
      JSON.stringify({ ...good, sentAt: 'yesterday' }),
      JSON.stringify({ ...good, body: 'not an array' }),
    ];
    for (const text of bodies) {
      const body = Buffer.from(text, 'utf8');
      const headers = {
        [SIGNED_BATCH_HEADERS.signature]: signer.sign(body),
        [SIGNED_BATCH_HEADERS.keyId]: pair.keyId,
        [SIGNED_BATCH_HEADERS.batchId]: good.batchId,
        [SIGNED_BATCH_HEADERS.timestamp]: good.sentAt,
      };
      // Act / Assess
      expect(verifier.verify({ body, headers })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a body signed under one key id but claiming another inside: malformed', () => {
    // Prepare: sign with the known key, but the body names a different key id
    const liar = createBatchSigner({ privateKey: pair.privateKeyPem, keyId: 'someone-else' });
    const request = signedRequest({ signer: liar });
    const headers = { ...request.headers, [SIGNED_BATCH_HEADERS.keyId]: pair.keyId };
    // Act / Assess
    expect(verifier.verify({ body: request.body, headers })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses keys that are not Ed25519 public keys at creation', () => {
    expect(() => createBatchVerifier({ keys: { k: 'not a pem' } })).toThrow(BorderConfigurationError);
  });

  it('Precondition: maxSkewMillis is a finite, non-negative number', () => {
    expect(() => createBatchVerifier({ keys: {}, maxSkewMillis: -1 })).toThrow(InvariantError);
  });
});
