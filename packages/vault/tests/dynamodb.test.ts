import { randomBytes } from 'node:crypto';
import { type TokenRequest, tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbVaultStore, type VaultEntry, type VaultStore } from '../src/index.ts';
import { startVaultFixture, type VaultFixture } from './fixtures.ts';

const entry = (i: number): VaultEntry => ({
  ref: { indexVersion: 'v1', kind: 'patient', blindIndex: randomBytes(32).toString('hex') },
  token: `pat_${String(i).padStart(26, '0')}`,
  envelope: randomBytes(60),
  createdAtMillis: 1_700_000_000_000 + i,
});

describe('DynamoDB vault store (dynalite)', () => {
  let fx: VaultFixture;
  let store: VaultStore;
  beforeAll(async () => {
    fx = await startVaultFixture();
    store = createDynamoDbVaultStore({ dynamodb: fx.clients().dynamodb, tableName: fx.tables.vault });
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('reads more than 100 keys in batches and leaves absent keys out', async () => {
    const entries = Array.from({ length: 230 }, (_, i) => entry(i));
    await Promise.all(entries.map((e) => store.putEntryIfAbsent(e)));
    const absent = entry(999).ref;
    const found = await store.getEntries([...entries.map((e) => e.ref), absent]);
    expect(found.size).toBe(230);
    expect(Buffer.from(found.values().next().value!.envelope).length).toBe(60);
  });

  it('a failed condition is an "exists" outcome carrying the existing entry', async () => {
    const first = entry(1);
    const second = { ...first, token: `pat_${'1'.repeat(26)}` };
    expect(await store.putEntryIfAbsent(first)).toEqual({ outcome: 'created' });
    const lost = await store.putEntryIfAbsent(second);
    expect(lost.outcome).toBe('exists');
    expect(lost.outcome === 'exists' && lost.existing.token).toBe(first.token);
  });

  it('stores links in both directions and deletes them', async () => {
    const link = {
      subjectToken: `pat_${'2'.repeat(26)}`,
      subjectKind: 'patient',
      contactToken: `phn_${'2'.repeat(26)}`,
      contactKind: 'phone',
    };
    await store.putLinks([link, link]);
    expect((await store.getLinks(link.subjectToken)).contacts).toEqual([link]);
    expect((await store.getLinks(link.contactToken)).subjects).toEqual([link]);
    await store.deleteLinks([link]);
    expect(await store.getLinks(link.subjectToken)).toEqual({ contacts: [], subjects: [] });
  });

  it('scans one index version only', async () => {
    const v9 = { ...entry(5), ref: { ...entry(5).ref, indexVersion: 'v9' } };
    await store.putEntryIfAbsent(v9);
    const pages: VaultEntry[] = [];
    for await (const page of store.scanEntries('v9')) pages.push(...page);
    expect(pages.map((e) => e.token)).toEqual([v9.token]);
  });
});

describe('vault on dynalite + kms-local', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('race: many tokenizers with separate clients and overlapping new identifiers end with exactly one token per identifier, which every caller got', async () => {
    // Prepare: 10 instances (10 cold starts, 10 SDK clients), 120 new identifiers, each
    // instance asking for an overlapping, differently ordered subset of them.
    const ids: TokenRequest[] = Array.from({ length: 120 }, (_, i) => ({
      kind: 'patient',
      value: `RACE-${i}`,
    }));
    const vaults = Array.from({ length: 10 }, () => fx.vault());
    // Act
    const results = await Promise.all(
      vaults.map((vault, v) => {
        const mine = ids.filter((_, i) => (i + v) % 2 === 0 || i % 3 === v % 3);
        return vault.tokenize(v % 2 ? mine.reverse() : mine);
      }),
    );
    // Assess
    const items = await fx.scan(fx.tables.vault);
    const entries = items.filter((i) => String((i.pk as { S: string }).S).startsWith('IDX#v1#patient#'));
    expect(entries).toHaveLength(120);
    for (const id of ids) {
      const key = tokenKey(id.kind, id.value);
      const seen = new Set(results.filter((r) => r.has(key)).map((r) => r.get(key)));
      expect(seen.size).toBe(1);
      const stored = entries.filter((e) => (e.token as { S: string }).S === [...seen][0]);
      expect(stored).toHaveLength(1);
    }
    const lost = vaults.reduce((n, v) => n + v.stats().racesLost, 0);
    const created = vaults.reduce((n, v) => n + v.stats().created, 0);
    expect(created).toBe(120);
    expect(lost).toBeGreaterThan(0);
    const pointers = items.filter((i) => String((i.pk as { S: string }).S).startsWith('TOK#'));
    expect(pointers).toHaveLength(120);
    const indexKeys = items.filter((i) => String((i.pk as { S: string }).S).startsWith('IK#'));
    expect(indexKeys).toHaveLength(1);
  }, 120_000);
});
