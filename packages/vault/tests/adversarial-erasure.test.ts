import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '@residency/aws';
import { type ErasureNotice, tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, type Vault } from '../src/index.ts';
import { ALICE, aliceOnly, REGION, startVaultFixture, type VaultFixture } from './fixtures.ts';

// Erasure against hostile timing and hostile items: twice, concurrently, racing a tokenize or a
// detokenize of the same subject, and named by a token whose pointer was planted.

/** Holds the first matching DynamoDB call's answer until released (to force an interleaving). */
interface Gate {
  arm(command: string): void;
  /** Resolves once the armed call has its answer and is being held. */
  reached: Promise<void>;
  release(): void;
}

function gateOn(client: { middlewareStack: { add(mw: unknown, options: unknown): void } }): Gate {
  let armed: string | undefined;
  let onReached = () => {};
  let onRelease = () => {};
  const released = () => new Promise<void>((resolve) => (onRelease = resolve));
  const gate: Gate = {
    arm(command) {
      armed = command;
      gate.reached = new Promise<void>((resolve) => (onReached = resolve));
    },
    reached: Promise.resolve(),
    release: () => onRelease(),
  };
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const out = await next(args);
        if (armed !== undefined && context.commandName === armed) {
          armed = undefined;
          const held = released();
          onReached();
          await held;
        }
        return out;
      },
    { step: 'initialize', name: 'adversarialGate' },
  );
  return gate;
}

const patient = (value: string) => ({ kind: 'patient', value });

describe('erasure under races and planted items (dynalite + kms-local)', () => {
  let fx: VaultFixture;
  const destroy: Array<() => void> = [];
  beforeAll(async () => {
    fx = await startVaultFixture();
  });
  afterAll(async () => {
    for (const d of destroy) d();
    await fx?.close();
  });

  /** A vault on its own clients, with a gate on its DynamoDB client. */
  function gatedVault(sent: ErasureNotice[] = []): { vault: Vault; gate: Gate } {
    const clients = createAwsClients({ region: REGION, endpoints: fx.endpoints });
    destroy.push(() => clients.destroy());
    const gate = gateOn(clients.dynamodb as never);
    const vault = createVault({
      clients,
      region: REGION,
      keyArn: fx.keyArn,
      tableName: fx.tables.vault,
      auditTableName: fx.tables.audit,
      authorize: aliceOnly,
      erasureSink: { send: async (notice) => void sent.push(notice) },
    });
    destroy.push(() => vault.close());
    return { vault, gate };
  }

  it('erasing twice: the second is not_found, one notice only, the tokens stay unknown', async () => {
    // Prepare
    const sent: ErasureNotice[] = [];
    const { vault } = gatedVault(sent);
    const t = (await vault.tokenize([patient('E-TWICE')])).get(tokenKey('patient', 'E-TWICE')) as string;
    // Act
    const first = await vault.eraseSubject({ token: t }, ALICE);
    const second = await vault.eraseSubject({ token: t }, ALICE);
    const byIdentifier = await vault.eraseSubject({ identifier: patient('E-TWICE') }, ALICE);
    // Assess
    expect(first.outcome).toBe('erased');
    expect(second.outcome).toBe('not_found');
    expect(byIdentifier.outcome).toBe('not_found');
    expect(sent.map((n) => n.tokens)).toEqual([[t]]);
    expect((await vault.detokenize([t], ALICE)).missing).toEqual([t]);
  });

  it('two erasures of the same subject at once both finish without error, and nothing of it is left', async () => {
    // Prepare
    const { vault } = gatedVault();
    const other = fx.vault({ authorize: aliceOnly });
    const linkTo = patient('E-CONC');
    const made = await vault.tokenize([linkTo, { kind: 'phone', value: '+8801700000001', linkTo }]);
    // Act
    const results = await Promise.all([
      vault.eraseSubject({ identifier: linkTo }, ALICE),
      other.eraseSubject({ identifier: { kind: 'phone', value: '+8801700000001' } }, ALICE),
    ]);
    // Assess
    expect(results.map((r) => r.outcome)).toContain('erased');
    expect((await vault.detokenize([...made.values()], ALICE)).revealed).toEqual([]);
    const left = (await fx.scan(fx.tables.vault)).filter((item) =>
      [...made.values()].some((t) => JSON.stringify(item).includes(t)),
    );
    expect(left).toEqual([]);
  });

  it('Postcondition: a tokenize whose read raced the erasure does not hand out or cache the erased token; a later event gets a new one', async () => {
    // Prepare: the subject exists; this instance has its index key but not the subject cached.
    const { vault, gate } = gatedVault();
    const before = (await fx.vault().tokenize([patient('E-RACE')])).get(tokenKey('patient', 'E-RACE'));
    await vault.tokenize([patient('E-WARM')]);
    // Act: the tokenize's read returns the entry, and is held while the erasure runs to its end.
    gate.arm('BatchGetItemCommand');
    const racing = vault.tokenize([patient('E-RACE')]);
    await gate.reached;
    const erased = await vault.eraseSubject({ identifier: patient('E-RACE') }, ALICE);
    gate.release();
    const during = (await racing).get(tokenKey('patient', 'E-RACE'));
    const later = (await vault.tokenize([patient('E-RACE')])).get(tokenKey('patient', 'E-RACE'));
    // Assess
    expect(erased.outcome === 'erased' && erased.notice.tokens).toEqual([before]);
    expect(during).not.toBe(before);
    expect(later).not.toBe(before);
    expect(later).toBe(during);
    const revealed = await vault.detokenize([later as string, before as string], ALICE);
    expect(revealed.revealed.map((r) => [r.token, r.value])).toEqual([[later, 'E-RACE']]);
    expect(revealed.missing).toEqual([before]);
  });

  it('detokenize racing erasure: each answer is the right value or missing, never another value, never an error', async () => {
    // Prepare
    const writer = fx.vault();
    const values = Array.from({ length: 24 }, (_, i) => `E-DR-${i}`);
    const made = await writer.tokenize(values.map(patient));
    const tokenOf = (v: string) => made.get(tokenKey('patient', v)) as string;
    const readers = [fx.vault({ authorize: aliceOnly }), fx.vault({ authorize: aliceOnly })];
    const eraser = fx.vault({ authorize: aliceOnly });
    // Act
    const runs = await Promise.allSettled(
      values.flatMap((v, i) => [
        eraser.eraseSubject({ token: tokenOf(v) }, ALICE),
        (readers[i % 2] as Vault).detokenize(
          [tokenOf(v), tokenOf(values[(i + 1) % values.length] as string)],
          ALICE,
        ),
      ]),
    );
    // Assess
    expect(runs.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const run of runs) {
      const value = (run as PromiseFulfilledResult<{ revealed?: Array<{ token: string; value: string }> }>)
        .value;
      for (const r of value.revealed ?? []) expect(tokenOf(r.value)).toBe(r.token);
    }
    const after = await eraser.detokenize(values.map(tokenOf), ALICE);
    expect(after.revealed).toEqual([]);
  });

  it("erasing by a token whose pointer was planted on another token's entry deletes only the pointer, not that entry", async () => {
    // Prepare: a pointer for a token nobody was given, naming E-VICTIM's entry.
    const vault = fx.vault({ authorize: aliceOnly });
    const victim = (await vault.tokenize([patient('E-VICTIM')])).get(
      tokenKey('patient', 'E-VICTIM'),
    ) as string;
    const pointer = (await fx.scan(fx.tables.vault)).find(
      (i) => (i.pk as { S: string }).S === `TOK#${victim}`,
    ) as Record<string, { S: string }>;
    const planted = `pat_${'7'.repeat(26)}`;
    await fx
      .clients()
      .dynamodb.send(
        new PutItemCommand({ TableName: fx.tables.vault, Item: { ...pointer, pk: { S: `TOK#${planted}` } } }),
      );
    // Act
    const result = await vault.eraseSubject({ token: planted }, ALICE);
    // Assess: the planted token is gone; the victim's entry, pointer and value are intact.
    expect(result.outcome === 'erased' && result.notice.tokens).toEqual([planted]);
    const check = await fx.vault({ authorize: aliceOnly }).detokenize([victim, planted], ALICE);
    expect(check.revealed.map((r) => r.value)).toEqual(['E-VICTIM']);
    expect(check.missing).toEqual([planted]);
  });
});
