import { type TokenRequest, TokenSchema, tokenKey } from '@residency/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTokenRequestError } from '../src/index.ts';
import { ALICE } from './fixtures.ts';
import { memoryVault } from './memory.ts';

const patient = (value: string): TokenRequest => ({ kind: 'patient', value });

describe('tokenize (in-memory ports)', () => {
  it('Postcondition: the same identifier always gets the same token, across calls and instances', async () => {
    // Prepare
    const { vault, another } = memoryVault();
    const second = another();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (value) => {
        // Act
        const first = await vault.tokenize([patient(value)]);
        const again = await vault.tokenize([patient(value)]);
        const elsewhere = await second.tokenize([patient(value)]);
        // Assess
        const token = first.get(tokenKey('patient', value));
        expect(TokenSchema.parse(token)).toMatch(/^pat_/);
        expect(again.get(tokenKey('patient', value))).toBe(token);
        expect(elsewhere.get(tokenKey('patient', value))).toBe(token);
      }),
      { numRuns: 50 },
    );
  });

  it('Postcondition: reveal(tokenize(x)) is x, for every kind', async () => {
    const { vault } = memoryVault();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('patient', 'phone', 'email', 'nationalId', 'doctor'),
        fc.string({ minLength: 1, maxLength: 60 }),
        async (kind, value) => {
          const tokens = await vault.tokenize([{ kind, value }]);
          const token = tokens.get(tokenKey(kind, value)) as string;
          const { revealed } = await vault.detokenize([token], ALICE);
          expect(revealed).toEqual([{ token, kind, value }]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives different identifiers different tokens, and the same value of two kinds two tokens', async () => {
    const { vault } = memoryVault();
    const tokens = await vault.tokenize([patient('P-1'), patient('P-2'), { kind: 'doctor', value: 'P-1' }]);
    expect(new Set(tokens.values()).size).toBe(3);
  });

  it('answers repeated identifiers from the cache without touching the store', async () => {
    const { vault, store } = memoryVault();
    await vault.tokenize([patient('P-1'), patient('P-2')]);
    const readsBefore = store.calls.getEntries ?? 0;
    await vault.tokenize([patient('P-1'), patient('P-2'), patient('P-1')]);
    expect(store.calls.getEntries ?? 0).toBe(readsBefore);
    expect(vault.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 2, created: 2 });
  });

  it('single-flight: concurrent calls for the same new identifier make one lookup and one entry', async () => {
    const { vault, store } = memoryVault();
    const results = await Promise.all(Array.from({ length: 20 }, () => vault.tokenize([patient('P-9')])));
    const tokens = new Set(results.map((r) => r.get(tokenKey('patient', 'P-9'))));
    expect(tokens.size).toBe(1);
    expect(store.calls.putEntryIfAbsent).toBe(1);
    expect(vault.stats().singleFlightJoins).toBe(19);
  });

  it('Postcondition: instances racing on new identifiers end with one token each, and all callers get it', async () => {
    const { another } = memoryVault();
    const instances = Array.from({ length: 8 }, () => another());
    const ids = Array.from({ length: 30 }, (_, i) => patient(`R-${i}`));
    const results = await Promise.all(
      instances.map((v, i) => v.tokenize([...ids.slice(i), ...ids.slice(0, i)])),
    );
    for (const id of ids) {
      const seen = new Set(results.map((r) => r.get(tokenKey(id.kind, id.value))));
      expect(seen.size).toBe(1);
    }
    const lost = instances.reduce((n, v) => n + v.stats().racesLost, 0);
    const created = instances.reduce((n, v) => n + v.stats().created, 0);
    expect(created).toBe(30);
    expect(lost).toBe(30 * 8 - 30);
  });

  it('links contact identifiers to their subject once, and returns a token for the linkTo subject too', async () => {
    const { vault, store } = memoryVault();
    const request = (kind: string, value: string): TokenRequest => ({
      kind,
      value,
      linkTo: { kind: 'patient', value: 'P-7' },
    });
    const batch = [request('phone', '+919876543210'), request('email', 'a@example.org')];
    const tokens = await vault.tokenize(batch);
    await vault.tokenize(batch);
    const subject = tokens.get(tokenKey('patient', 'P-7')) as string;
    const links = await store.getLinks(subject);
    expect(links.contacts.map((l) => l.contactKind).sort()).toEqual(['email', 'phone']);
    expect(store.calls.putLinks).toBe(1);
  });

  it('rejects a kind that cannot be part of an item key, without claiming anything', async () => {
    const { vault } = memoryVault();
    await expect(vault.tokenize([{ kind: 'bad#kind', value: 'x' }, patient('P-1')])).rejects.toBeInstanceOf(
      InvalidTokenRequestError,
    );
    const ok = await vault.tokenize([patient('P-1')]);
    expect(ok.size).toBe(1);
  });

  it('a failed store read fails the batch and its joiners, and the next call tries again', async () => {
    const { vault, store } = memoryVault();
    await vault.tokenize([patient('warm')]);
    const real = store.getEntries;
    store.getEntries = async () => {
      throw new Error('store down');
    };
    const results = await Promise.allSettled([
      vault.tokenize([patient('F-1')]),
      vault.tokenize([patient('F-1')]), // joins F-1
      vault.tokenize([patient('F-1'), patient('F-2')]), // joins F-1, fails on its own F-2
    ]);
    store.getEntries = real;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const retry = await vault.tokenize([patient('F-1')]);
    expect(retry.get(tokenKey('patient', 'F-1'))).toMatch(/^pat_/);
  });
});
