import { createHash } from 'node:crypto';
import { formatToken, type TokenRequest, TokenSchema, tokenKey } from '@residency/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditWriteError,
  createVaultAdminHandler,
  InvalidTokenRequestError,
  UnauthorizedError,
} from '../src/index.ts';
import { ALICE, startVaultFixture, type VaultFixture } from './fixtures.ts';
import { memoryVault } from './memory.ts';

const appointment = (value: string): TokenRequest => ({ kind: 'appointment', value, keyed: true });
const tokenOf = (tokens: ReadonlyMap<string, string>, r: TokenRequest) =>
  tokens.get(tokenKey(r.kind, r.value)) as string;

describe('keyed tokens (in-memory ports)', () => {
  it('Postcondition: one value, one token, across calls, cache expiry and cold starts', async () => {
    const { vault, another } = memoryVault({ cacheMaxEntries: 1 });
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (value) => {
        const request = appointment(value);
        const first = tokenOf(await vault.tokenize([request]), request);
        // A cache of one entry: the next call computes the token again.
        await vault.tokenize([appointment(`${value}-other`)]);
        const again = tokenOf(await vault.tokenize([request]), request);
        const cold = tokenOf(await another().tokenize([request]), request);
        expect(TokenSchema.parse(first)).toMatch(/^apt_/);
        expect(again).toBe(first);
        expect(cold).toBe(first);
      }),
      { numRuns: 40 },
    );
  });

  it('writes nothing but its key: no entry, pointer or read, and one KMS call per cold start', async () => {
    const { vault, another, store, keys } = memoryVault();
    const requests = Array.from({ length: 500 }, (_, i) => appointment(`A-${i}`));
    const tokens = await vault.tokenize(requests);
    expect(new Set(tokens.values()).size).toBe(500);
    expect(store.calls).toEqual({ getWrappedKey: 1, putWrappedKeyIfAbsent: 1 });
    expect(keys.calls).toEqual({ GenerateDataKey: 1, Decrypt: 0 });
    expect(vault.stats()).toMatchObject({ keyedTokens: 500, created: 0, cacheMisses: 0, tokenKeyUnwraps: 1 });

    const second = another();
    await second.tokenize(requests.slice(0, 10));
    expect(keys.calls).toEqual({ GenerateDataKey: 1, Decrypt: 1 });
    expect(second.stats()).toMatchObject({ keyedTokens: 10, tokenKeyUnwraps: 1, indexKeyUnwraps: 0 });
  });

  it('is keyed by the vault: another vault, a bare hash and the same kind made random give other tokens', async () => {
    const one = memoryVault().vault;
    const other = memoryVault().vault;
    const values = Array.from({ length: 200 }, (_, i) => `APT-${i}`);
    const mine = await one.tokenize(values.map(appointment));
    const theirs = await other.tokenize(values.map(appointment));
    const random = await one.tokenize(values.map((value) => ({ kind: 'appointment', value })));
    for (const value of values) {
      const token = tokenOf(mine, appointment(value));
      expect(tokenOf(theirs, appointment(value))).not.toBe(token);
      expect(tokenOf(random, appointment(value))).not.toBe(token);
      const bare = createHash('sha256').update(`appointment\u0000${value}`).digest().subarray(0, 16);
      expect(formatToken('appointment', bare)).not.toBe(token);
    }
  });

  it('works beside random and linked identifiers in one batch, creating entries for those only', async () => {
    const { vault, store } = memoryVault();
    const batch: TokenRequest[] = [
      { kind: 'patient', value: 'P-1' },
      { kind: 'phone', value: '+8801711234567', linkTo: { kind: 'patient', value: 'P-1' } },
      appointment('A-1'),
      appointment('A-1'),
      appointment('A-2'),
    ];
    const tokens = await vault.tokenize(batch);
    expect(new Set(tokens.values()).size).toBe(4);
    expect(store.calls.putEntryIfAbsent).toBe(2);
    expect(vault.stats()).toMatchObject({ created: 2, keyedTokens: 2, linksWritten: 1 });
  });

  it('cannot be detokenized: the token names no entry', async () => {
    const { vault } = memoryVault();
    const token = tokenOf(await vault.tokenize([appointment('A-7')]), appointment('A-7'));
    const result = await vault.detokenize([token], ALICE);
    expect(result.revealed).toEqual([]);
    expect(result.missing).toEqual([token]);
  });

  it('refuses a keyed identifier with a link, and a bad kind or value, before any key is made', async () => {
    const { vault, keys } = memoryVault();
    const linked = { ...appointment('A-1'), linkTo: { kind: 'patient', value: 'P-1' } };
    await expect(vault.tokenize([linked])).rejects.toBeInstanceOf(InvalidTokenRequestError);
    await expect(vault.tokenize([appointment('')])).rejects.toBeInstanceOf(InvalidTokenRequestError);
    await expect(vault.tokenize([{ kind: '1x', value: 'v', keyed: true }])).rejects.toBeInstanceOf(
      InvalidTokenRequestError,
    );
    expect(keys.calls.GenerateDataKey).toBe(0);
  });

  it('fails closed when the token key is swapped for the index key: the encryption context names its purpose', async () => {
    const { vault, another, store } = memoryVault();
    await vault.tokenize([{ kind: 'patient', value: 'P-1' }, appointment('A-1')]);
    const indexKey = await store.getWrappedKey('IK#v1');
    const tokenKeyRecord = await store.getWrappedKey('TK#v1');
    expect(indexKey && tokenKeyRecord).toBeTruthy();
    // A store that answers the index key where the token key is asked for.
    const swapped = another();
    const original = store.getWrappedKey.bind(store);
    store.getWrappedKey = async (id) => (id === 'TK#v1' ? original('IK#v1') : original(id));
    await expect(swapped.tokenize([appointment('A-2')])).rejects.toThrow();
    store.getWrappedKey = original;
  });
});

describe('keyed tokens on dynalite + kms-local', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('two instances with their own clients agree, and the table holds the wrapped token key only', async () => {
    const values = Array.from({ length: 300 }, (_, i) => `APT-${i}`);
    const [a, b] = [fx.vault(), fx.vault()];
    const [ta, tb] = await Promise.all([
      a.tokenize(values.map(appointment)),
      b.tokenize(values.map(appointment)),
    ]);
    for (const value of values) expect(tokenOf(tb, appointment(value))).toBe(tokenOf(ta, appointment(value)));
    const items = await fx.scan(fx.tables.vault);
    expect(items.map((i) => (i.pk as { S: string }).S)).toEqual(['TK#v1']);
    a.close();
    b.close();
  }, 60_000);
});

describe('record ids', () => {
  const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('Postcondition: one version 8 UUID per event id, the same in every instance, none holding the event id', async () => {
    const { vault, another, store } = memoryVault();
    const eventIds = Array.from({ length: 300 }, () => crypto.randomUUID());
    const ids = await vault.recordIds(eventIds);
    const cold = await another().recordIds(eventIds);
    expect(ids).toHaveLength(300);
    expect(cold).toEqual(ids);
    expect(new Set(ids).size).toBe(300);
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(UUID_V8);
      // Not one 8-hex-digit run of the event id survives into its record id.
      const eventId = (eventIds[i] as string).replaceAll('-', '');
      for (let at = 0; at + 8 <= eventId.length; at += 8)
        expect(id.replaceAll('-', '')).not.toContain(eventId.slice(at, at + 8));
    }
    // The token key, read by each instance and made once; nothing else.
    expect(store.calls).toEqual({ getWrappedKey: 2, putWrappedKeyIfAbsent: 1 });
    expect(vault.stats()).toMatchObject({ recordIds: 300, keyedTokens: 0, cacheSize: 0 });
  });

  it('is keyed: another vault derives other ids, so an id holding a number in its last group carries nothing over', async () => {
    // A version 4 UUID whose last group is an Aadhaar number.
    const eventId = '8f14e45f-ceea-467f-a5b1-234567890124';
    const [mine] = await memoryVault().vault.recordIds([eventId]);
    const [theirs] = await memoryVault().vault.recordIds([eventId]);
    expect(theirs).not.toBe(mine);
    expect(mine).not.toContain('234567890124');
  });

  it('refuses an empty or overlong event id and answers nothing for none', async () => {
    const { vault, keys } = memoryVault();
    expect(await vault.recordIds([])).toEqual([]);
    await expect(vault.recordIds([''])).rejects.toBeInstanceOf(InvalidTokenRequestError);
    await expect(vault.recordIds(['x'.repeat(2000)])).rejects.toBeInstanceOf(InvalidTokenRequestError);
    expect(keys.calls.GenerateDataKey).toBe(0);
  });
});

describe('the audited lookup of a keyed token', () => {
  it('answers the token tokenize gives, and audits who asked, why and which token before answering', async () => {
    const { vault, audit } = memoryVault();
    const expected = tokenOf(await vault.tokenize([appointment('A-42')]), appointment('A-42'));
    const result = await vault.lookupKeyedToken({ kind: 'appointment', value: 'A-42' }, ALICE);
    expect(result.token).toBe(expected);
    expect(audit.records).toEqual([
      expect.objectContaining({
        requestId: result.requestId,
        action: 'lookup',
        outcome: 'requested',
        actor: 'alice',
        purpose: ALICE.purpose,
        tokens: [expected],
      }),
    ]);
    expect(JSON.stringify(audit.records)).not.toContain('A-42');
  });

  it('refuses an actor outside the allowlist and a bad kind, audited; answers nothing when the audit cannot be written', async () => {
    const { vault, audit } = memoryVault();
    const identifier = { kind: 'appointment', value: 'A-42' };
    await expect(
      vault.lookupKeyedToken(identifier, { actor: 'mallory', purpose: 'curious' }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(vault.lookupKeyedToken({ kind: '1x', value: 'v' }, ALICE)).rejects.toBeInstanceOf(
      InvalidTokenRequestError,
    );
    expect(audit.records.map((r) => [r.action, r.outcome])).toEqual([
      ['lookup', 'denied'],
      ['lookup', 'invalid'],
    ]);
    audit.failing = true;
    await expect(vault.lookupKeyedToken(identifier, ALICE)).rejects.toBeInstanceOf(AuditWriteError);
  });

  it('is an action of the admin function', async () => {
    const { vault } = memoryVault();
    const handle = createVaultAdminHandler(vault);
    const answer = await handle({
      action: 'lookup',
      identifier: { kind: 'appointment', value: 'A-42' },
      ...ALICE,
    });
    expect(answer).toEqual({
      ok: true,
      action: 'lookup',
      requestId: expect.any(String),
      token: tokenOf(await vault.tokenize([appointment('A-42')]), appointment('A-42')),
    });
  });
});
