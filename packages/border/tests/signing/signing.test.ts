import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { InvariantError } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { BorderConfigurationError } from '../../src/errors.ts';
import {
  createBatchSigner,
  digestBody,
  encodeSignedBatch,
  generateSigningKeyPair,
  keyIdFor,
  SIGNED_BATCH_HEADERS,
  SignedBatchSchema,
  signBatchRequest,
} from '../../src/signing/index.ts';

describe('generateSigningKeyPair', () => {
  it('makes an Ed25519 pair whose key id is the first 16 hex of SHA-256 over the public key DER', () => {
    // Act
    const pair = generateSigningKeyPair();
    // Assess
    const publicKey = createPublicKey(pair.publicKeyPem);
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    expect(createPrivateKey(pair.privateKeyPem).asymmetricKeyType).toBe('ed25519');
    expect(pair.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(pair.keyId).toBe(keyIdFor(publicKey));
    expect(generateSigningKeyPair().keyId).not.toBe(pair.keyId);
  });
});

describe('createBatchSigner', () => {
  it('signs the exact bytes with Ed25519, verifiable with the public key alone', () => {
    // Prepare
    const pair = generateSigningKeyPair();
    const signer = createBatchSigner({ privateKey: pair.privateKeyPem, keyId: 'k1' });
    const body = Buffer.from('{"any":"bytes"}');
    // Act
    const signature = signer.sign(body);
    // Assess
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verify(null, body, pair.publicKeyPem, Buffer.from(signature, 'base64'))).toBe(true);
    expect(signer.keyId).toBe('k1');
  });

  it('accepts a KeyObject and defaults the key id to keyIdFor(public key)', () => {
    // Prepare
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    // Act / Assess
    expect(createBatchSigner({ privateKey }).keyId).toBe(keyIdFor(publicKey));
  });

  it('refuses a key that is not an Ed25519 private key, at creation', () => {
    // Prepare
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    // Act / Assess
    expect(() => createBatchSigner({ privateKey: rsa })).toThrow(BorderConfigurationError);
    expect(() => createBatchSigner({ privateKey: 'not a pem' })).toThrow(BorderConfigurationError);
  });
});

describe('encodeSignedBatch / signBatchRequest', () => {
  it('embeds the items as given and produces a body the schema accepts', () => {
    // Prepare
    const items = [
      { recordId: randomUUID(), n: 1 },
      { recordId: randomUUID(), n: 2 },
    ];
    const fields = {
      batchId: randomUUID(),
      keyId: 'k1',
      sentAt: '2026-11-27T07:00:00.000Z',
      kind: 'records' as const,
      count: 2,
    };
    // Act
    const bytes = encodeSignedBatch(fields, JSON.stringify(items));
    // Assess
    const parsed = SignedBatchSchema.parse(JSON.parse(bytes.toString('utf8')));
    expect(parsed).toEqual({ version: 1, ...fields, body: items });
    expect(bytes.toString('utf8')).toContain(`"body":${JSON.stringify(items)}}`);
  });

  it('Precondition: the items are a JSON array', () => {
    const fields = {
      batchId: randomUUID(),
      keyId: 'k1',
      sentAt: '2026-11-27T07:00:00.000Z',
      kind: 'records' as const,
      count: 1,
    };
    expect(() => encodeSignedBatch(fields, '{"not":"an array"}')).toThrow(InvariantError);
  });

  it('builds the request: headers repeat the signed fields, the signature covers the body', () => {
    // Prepare
    const pair = generateSigningKeyPair();
    const signer = createBatchSigner({ privateKey: pair.privateKeyPem });
    const batchId = randomUUID();
    // Act
    const request = signBatchRequest(
      signer,
      { batchId, sentAt: '2026-11-27T07:00:00.000Z', kind: 'aggregates', count: 0 },
      '[]',
    );
    // Assess
    expect(request.headers[SIGNED_BATCH_HEADERS.keyId]).toBe(pair.keyId);
    expect(request.headers[SIGNED_BATCH_HEADERS.batchId]).toBe(batchId);
    expect(request.headers[SIGNED_BATCH_HEADERS.timestamp]).toBe('2026-11-27T07:00:00.000Z');
    const signature = Buffer.from(request.headers[SIGNED_BATCH_HEADERS.signature]!, 'base64');
    expect(verify(null, request.body, pair.publicKeyPem, signature)).toBe(true);
    expect(JSON.parse(request.body.toString('utf8')).keyId).toBe(pair.keyId);
  });
});

describe('digestBody', () => {
  it('is the SHA-256 hex of the bytes, the same for a Buffer and its string', () => {
    expect(digestBody(Buffer.from('[]'))).toBe(
      '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
    );
    expect(digestBody('[]')).toBe(digestBody(Buffer.from('[]')));
  });
});
