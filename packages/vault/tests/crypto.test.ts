import { createHash, randomBytes } from 'node:crypto';
import { InvariantError } from '@residency/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalContext,
  createBlindIndexer,
  createDataKeyCache,
  createDataKeyResolver,
  createMemoryKeyProvider,
  createMemoryVaultStore,
  createRandomPool,
  type DataKeyMaterial,
  DecryptionError,
  ENVELOPE_OVERHEAD_BYTES,
  openEnvelope,
  sealEnvelope,
} from '../src/index.ts';
import { manualClock } from './memory.ts';

const material = (): DataKeyMaterial => {
  const id = randomBytes(16);
  return { id, idHex: id.toString('hex'), key: randomBytes(32) };
};
const aad = (blindIndex: string) => canonicalContext({ vault: 'v', kind: 'phone', blindIndex });

describe('envelope (AES-256-GCM)', () => {
  const random = createRandomPool();

  it('Postcondition: an envelope is plaintext + 45 bytes and opens to the plaintext under its context', () => {
    const key = material();
    const sealed = sealEnvelope(key, Buffer.from('+919876543210'), aad('ab'), random);
    expect(sealed.length).toBe(13 + ENVELOPE_OVERHEAD_BYTES);
    expect(openEnvelope(key, sealed, aad('ab')).toString()).toBe('+919876543210');
  });

  it('Postcondition: decrypt verifies the encryption context (another blind index fails)', () => {
    const key = material();
    const sealed = sealEnvelope(key, Buffer.from('x@example.org'), aad('ab'), random);
    expect(() => openEnvelope(key, sealed, aad('cd'))).toThrow(DecryptionError);
  });

  it('Postcondition: any changed byte fails authentication', () => {
    const key = material();
    const sealed = sealEnvelope(key, Buffer.from('x@example.org'), aad('ab'), random);
    for (const at of [20, 30, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at] = (tampered[at] as number) ^ 1;
      expect(() => openEnvelope(key, tampered, aad('ab'))).toThrow(DecryptionError);
    }
  });

  it('uses a fresh random IV per message: the same plaintext seals differently', () => {
    const key = material();
    const ivs = new Set(
      Array.from({ length: 10_000 }, () =>
        sealEnvelope(key, Buffer.from('same'), aad('ab'), random).subarray(17, 29).toString('hex'),
      ),
    );
    expect(ivs.size).toBe(10_000);
  });

  it('Precondition: the envelope names the key used to open it', () => {
    const sealed = sealEnvelope(material(), Buffer.from('v'), aad('ab'), random);
    expect(() => openEnvelope(material(), sealed, aad('ab'))).toThrow(InvariantError);
  });

  it('canonical context: key order does not matter, values cannot collide through separators', () => {
    expect(canonicalContext({ a: '1', b: '2' })).toEqual(canonicalContext({ b: '2', a: '1' }));
    expect(canonicalContext({ a: 'x","b', b: '' })).not.toEqual(canonicalContext({ a: 'x', b: '","b' }));
  });
});

describe('data key cache', () => {
  const setup = (limits: { dataKeyMaxAgeSeconds?: number; dataKeyMaxMessages?: number }) => {
    const clock = manualClock();
    const keys = createMemoryKeyProvider();
    const store = createMemoryVaultStore();
    const cache = createDataKeyCache({ vault: 'v', keys, store, clock, ...limits });
    return { clock, keys, store, cache };
  };

  it('bounds uses: a new data key after dataKeyMaxMessages, and the retired key is zeroed', async () => {
    const { cache, keys } = setup({ dataKeyMaxMessages: 10 });
    const first = await cache.withDataKey(6, (m) => m);
    const same = await cache.withDataKey(4, (m) => m);
    const next = await cache.withDataKey(1, (m) => m);
    expect(same).toBe(first);
    expect(next.idHex).not.toBe(first.idHex);
    expect(first.key.every((b) => b === 0)).toBe(true);
    expect(keys.calls.GenerateDataKey).toBe(2);
  });

  it('bounds age: a new data key after dataKeyMaxAgeSeconds', async () => {
    const { cache, clock, keys } = setup({ dataKeyMaxAgeSeconds: 60 });
    const first = await cache.withDataKey(1, (m) => m.idHex);
    clock.advance(59_000);
    expect(await cache.withDataKey(1, (m) => m.idHex)).toBe(first);
    clock.advance(1_000);
    expect(await cache.withDataKey(1, (m) => m.idHex)).not.toBe(first);
    expect(keys.calls.GenerateDataKey).toBe(2);
  });

  it('concurrent callers share one GenerateDataKey, and the key is stored wrapped before use', async () => {
    const { cache, keys, store } = setup({});
    const ids = await Promise.all(Array.from({ length: 50 }, () => cache.withDataKey(1, (m) => m.idHex)));
    expect(new Set(ids).size).toBe(1);
    expect(keys.calls.GenerateDataKey).toBe(1);
    expect(await store.getWrappedKey(`DK#${ids[0]}`)).toMatchObject({ id: `DK#${ids[0]}` });
  });

  it('Precondition: a lease asks for at most dataKeyMaxMessages uses', async () => {
    const { cache } = setup({ dataKeyMaxMessages: 5 });
    await expect(cache.withDataKey(6, () => 0)).rejects.toBeInstanceOf(InvariantError);
  });

  it('the resolver unwraps a stored data key through the key provider once, then from memory', async () => {
    const { cache, keys, store, clock } = setup({});
    const made = await cache.withDataKey(1, (m) => ({ idHex: m.idHex, key: Buffer.from(m.key) }));
    const resolver = createDataKeyResolver({ vault: 'v', keys, store, clock });
    const a = await resolver.withDataKey(made.idHex, (m) => Buffer.from(m.key));
    const b = await resolver.withDataKey(made.idHex, (m) => Buffer.from(m.key));
    expect(a).toEqual(made.key);
    expect(b).toEqual(made.key);
    expect(keys.calls.Decrypt).toBe(1);
    const otherVault = createDataKeyResolver({ vault: 'other', keys, store, clock });
    await expect(otherVault.withDataKey(made.idHex, () => 0)).rejects.toThrow();
  });
});

describe('blind index', () => {
  it('is keyed: another index key gives another blind index, and it is never a bare hash', () => {
    const v1 = createBlindIndexer('v1', randomBytes(32));
    const v2 = createBlindIndexer('v2', randomBytes(32));
    const a = v1.blindIndex('phone', '+919876543210');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.blindIndex('phone', '+919876543210')).toBe(a);
    expect(v2.blindIndex('phone', '+919876543210')).not.toBe(a);
    expect(a).not.toBe(createHash('sha256').update('+919876543210').digest('hex'));
  });

  it('separates kinds: the same value of two kinds indexes differently', () => {
    const v1 = createBlindIndexer('v1', randomBytes(32));
    expect(v1.blindIndex('phone', '1')).not.toBe(v1.blindIndex('email', '1'));
    expect(v1.blindIndex('ab', 'c')).not.toBe(v1.blindIndex('a', 'bc'));
  });

  it('zeroes its key on close and refuses to index afterwards', () => {
    const key = randomBytes(32);
    const v1 = createBlindIndexer('v1', key);
    v1.close();
    expect(key.every((b) => b === 0)).toBe(true);
    expect(() => v1.blindIndex('phone', '1')).toThrow(InvariantError);
  });
});

describe('fast paths equal their reference implementations', () => {
  it('entryAad equals the canonical encoding of the entry context', async () => {
    const { entryAad, entryContext } = await import('../src/crypto/encryption-context.ts');
    fc.assert(
      fc.property(
        fc.record({
          vault: fc.constantFrom('vault-1', 'residency.vault_x'),
          kind: fc.string({ minLength: 1, maxLength: 10 }),
          indexVersion: fc.constantFrom('v1', 'v22'),
          blindIndex: fc.stringMatching(/^[0-9a-f]{64}$/),
          token: fc.string({ maxLength: 40 }),
        }),
        (entry) => entryAad(entry).equals(canonicalContext(entryContext(entry))),
      ),
      { numRuns: 500 },
    );
  });
});
