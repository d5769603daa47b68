import { createHash } from 'node:crypto';
import { RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { createCallCounter } from '@residency/aws';
import { type TokenRequest, tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, aliceOnly, startVaultFixture, type VaultFixture } from './fixtures.ts';

const patients = (prefix: string, n: number): TokenRequest[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'patient', value: `${prefix}-${i}` }));

describe('vault and KMS (kms-local)', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('no per-identifier KMS call on the hot path: KMS is called per cold start and per data key, never per identifier', async () => {
    // Prepare
    const counter = createCallCounter();
    const vault = fx.vault({ counter });
    // Act: a cold start that creates 300 new identifiers, then 300 cache hits
    await vault.tokenize(patients('hot', 300));
    const afterNew = counter.snapshot();
    counter.reset();
    await vault.tokenize(patients('hot', 300));
    const afterHits = counter.snapshot();
    // A second cold start reading the same identifiers back
    const warmCounter = createCallCounter();
    const second = fx.vault({ counter: warmCounter });
    await second.tokenize(patients('hot', 300));
    // Assess
    // The index key (created on this first cold start ever) and one data key for all 300 values.
    expect(afterNew['KMS.GenerateDataKey']).toBe(2);
    expect(afterNew['KMS.Decrypt'] ?? 0).toBe(0);
    expect(afterNew['DynamoDB.PutItem']).toBeLessThanOrEqual(300 + 2); // one conditional create per identifier (+ keys)
    expect(afterHits).toEqual({});
    expect(warmCounter.snapshot()).toEqual({
      'DynamoDB.GetItem': 1, // the wrapped index key
      'KMS.Decrypt': 1, // unwrapped once per cold start
      'DynamoDB.BatchGetItem': 3, // 300 identifiers in batches of 100
    });
  });

  it('the KMS key rotation needs nothing from the vault: entries from before a rotation still decrypt', async () => {
    // Prepare
    const before = fx.vault({ authorize: aliceOnly });
    const old = await before.tokenize(patients('rot', 5));
    // Act
    await fx.clients().kms.send(new RotateKeyOnDemandCommand({ KeyId: fx.keyArn }));
    const cold = fx.vault({ authorize: aliceOnly }); // a cold start after the rotation
    const again = await cold.tokenize(patients('rot', 5));
    const fresh = await cold.tokenize(patients('rot-new', 5));
    const revealed = await cold.detokenize([...old.values(), ...fresh.values()], ALICE);
    // Assess
    expect([...again.values()]).toEqual([...old.values()]);
    expect(revealed.missing).toEqual([]);
    expect(revealed.revealed.map((r) => r.value).sort()).toEqual(
      [...patients('rot', 5), ...patients('rot-new', 5)].map((p) => p.value).sort(),
    );
  });
});

// Every representation of an identifier that would reveal it: the value itself and unkeyed
// hashes of the forms it could be hashed in, as hex and base64.
function forbiddenForms(kind: string, value: string): string[] {
  const forms = [value];
  for (const input of [
    value,
    `${kind}\u0000${value}`,
    tokenKey(kind, value),
    `${kind}:${value}`,
    `${kind}${value}`,
  ]) {
    for (const algorithm of ['sha256', 'sha1', 'md5', 'sha512']) {
      const digest = createHash(algorithm).update(input).digest();
      forms.push(digest.toString('hex'), digest.toString('base64'), digest.toString('base64url'));
    }
  }
  return forms;
}

// Items as searchable text: strings as they are, binaries as hex, base64 and latin1.
function searchable(items: ReadonlyArray<Record<string, unknown>>): string {
  return JSON.stringify(items, (_key, value) =>
    value instanceof Uint8Array
      ? [
          Buffer.from(value).toString('hex'),
          Buffer.from(value).toString('base64'),
          Buffer.from(value).toString('latin1'),
        ]
      : value,
  ).toLowerCase();
}

describe('at rest', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('a scan of the vault and audit tables after a run finds no identifier in clear and no unkeyed hash of one', async () => {
    // Prepare: registrations with contacts, then every admin operation
    const vault = fx.vault({ authorize: aliceOnly });
    const identifiers: Array<{ kind: string; value: string }> = [];
    const requests: TokenRequest[] = [];
    for (let i = 0; i < 40; i++) {
      const linkTo = { kind: 'patient', value: `PAT-${i}-7f3a` };
      const contact = [
        { kind: 'phone', value: `+9198${String(10_000_000 + i * 7919).slice(0, 8)}` },
        { kind: 'email', value: `person.${i}@example.org` },
        { kind: 'nationalId', value: String(234_567_890_120 + i) },
      ];
      identifiers.push(linkTo, ...contact);
      requests.push(linkTo, ...contact.map((c) => ({ ...c, linkTo })));
    }
    const tokens = await vault.tokenize(requests);
    await vault.detokenize([...tokens.values()].slice(0, 10), ALICE);
    await vault.exportSubject({ identifier: { kind: 'email', value: 'person.3@example.org' } }, ALICE);
    await vault.eraseSubject({ identifier: { kind: 'phone', value: identifiers[5]!.value } }, ALICE);
    await vault.reindex({ fromVersion: 'v1', toVersion: 'v2' }, ALICE);
    // Act
    const text = searchable([...(await fx.scan(fx.tables.vault)), ...(await fx.scan(fx.tables.audit))]);
    // Assess
    expect(text).toContain('idx#v2#'); // the scan saw the entries
    expect(text).toContain('detokenize'); // and the audit records
    const found = identifiers.flatMap(({ kind, value }) =>
      forbiddenForms(kind, value)
        .filter((form) => text.includes(form.toLowerCase()))
        .map(() => kind),
    );
    expect(found).toEqual([]);
  });
});
