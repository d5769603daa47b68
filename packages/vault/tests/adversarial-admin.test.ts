import { randomBytes } from 'node:crypto';
import { tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthorizePolicy,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  UnauthorizedError,
  type Vault,
} from '../src/index.ts';
import { ALICE, aliceOnly, startVaultFixture, type VaultFixture } from './fixtures.ts';

// Inputs nobody wrote a fixture for, against the in-region admin surface on dynalite + kms-local.
// Every attempt must leave exactly its audit rows, and no row may hold what the caller typed
// (unless it passed the checks) or anything revealed.

type Row = Record<string, { S?: string; N?: string; L?: Array<{ S: string }> }>;

/** A random token of a kind prefix that no vault ever issued. */
const forged = (prefix: string) =>
  `${prefix}_${Array.from(randomBytes(26), (b) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[b % 32]).join('')}`;

describe('admin calls under hostile input (dynalite + kms-local)', () => {
  let fx: VaultFixture;
  let vault: Vault;
  let known: string;

  beforeAll(async () => {
    fx = await startVaultFixture();
    vault = fx.vault({ authorize: aliceOnly });
    known = (await vault.tokenize([{ kind: 'patient', value: 'ADV-P-1' }])).get(
      tokenKey('patient', 'ADV-P-1'),
    ) as string;
  });
  afterAll(async () => {
    await fx?.close();
  });

  /** Runs `act` and returns the audit rows it added (tests in a file run one at a time). */
  async function newRows(act: () => Promise<unknown>): Promise<{ rows: Row[]; outcome: unknown }> {
    const seen = new Set(((await fx.scan(fx.tables.audit)) as Row[]).map((r) => r.sk?.S));
    const outcome = await act().then(
      (value) => value,
      (error: unknown) => error,
    );
    const rows = ((await fx.scan(fx.tables.audit)) as Row[]).filter((r) => !seen.has(r.sk?.S));
    return { rows, outcome };
  }

  const ACCESS_CASES: Array<[string, unknown, string]> = [
    ['no access object', undefined, 'actor:missing purpose:missing'],
    ['access as a string', 'alice', 'actor:missing purpose:missing'],
    ['actor missing', { purpose: 'DSAR-1' }, 'actor:missing'],
    ['actor a number', { actor: 12, purpose: 'DSAR-1' }, 'actor:missing'],
    ['actor blank', { actor: ' \t\n ', purpose: 'DSAR-1' }, 'actor:missing'],
    ['actor with a NUL', { actor: 'alice\u0000root', purpose: 'DSAR-1' }, 'actor:pattern'],
    ['actor with a newline inside', { actor: 'alice\nforged-line', purpose: 'DSAR-1' }, 'actor:pattern'],
    ['actor with a zero-width space', { actor: 'ali\u200bce', purpose: 'DSAR-1' }, 'actor:pattern'],
    ['actor overlong', { actor: `a${'x'.repeat(300)}`, purpose: 'DSAR-1' }, 'actor:pattern'],
    ['actor huge', { actor: 'y'.repeat(100_000), purpose: 'DSAR-1' }, 'actor:pattern'],
    ['purpose missing', { actor: 'alice' }, 'purpose:missing'],
    ['purpose blank', { actor: 'alice', purpose: '\u00a0 \u2028' }, 'purpose:missing'],
    ['purpose overlong', { actor: 'alice', purpose: `Z${'q'.repeat(128)}` }, 'purpose:pattern'],
    ['purpose with a bell', { actor: 'alice', purpose: 'DSAR\u0007bell' }, 'purpose:pattern'],
    ['purpose with a RTL override', { actor: 'alice', purpose: 'DSAR\u202eevil' }, 'purpose:pattern'],
    [
      'purpose with quotes (injection)',
      { actor: 'alice', purpose: `x"},{"outcome":"completed` },
      'purpose:pattern',
    ],
    [
      'purpose with a spaced phone',
      { actor: 'alice', purpose: 'call 98765 43210' },
      'purpose:pii:phone:bd-nid',
    ],
    ['purpose with a dotted phone', { actor: 'alice', purpose: 'callback 98765.43210' }, 'purpose:pii:phone'],
    ['purpose with a slashed NID', { actor: 'alice', purpose: 'nid 1990/2345/6789' }, 'purpose:pii:digits'],
    ['purpose with an email', { actor: 'alice', purpose: 'rahim at example dot com' }, 'purpose:pii:email'],
  ];

  it.each(ACCESS_CASES)(
    '%s: refused, with one invalid row naming field and reason and none of the text',
    async (_name, access, reason) => {
      // Act
      const { rows, outcome } = await newRows(() => vault.detokenize([known], access as never));
      // Assess
      expect(outcome).toBeInstanceOf(InvalidAccessRequestError);
      expect(rows).toHaveLength(1);
      const [row] = rows as [Row];
      expect(row.outcome?.S).toBe('invalid');
      expect(row.reason?.S).toBe(reason);
      expect(row).not.toHaveProperty('actor');
      expect(row.tokens?.L).toEqual([]);
      const text = JSON.stringify(row);
      for (const field of ['actor', 'purpose'] as const) {
        const value = (access as Record<string, unknown> | undefined)?.[field];
        if (typeof value === 'string' && reason.includes(field) && value.trim().length >= 4) {
          expect(text).not.toContain(value.trim().slice(0, 12));
        }
      }
      expect(String((outcome as Error).message)).not.toMatch(/98765|1990|rahim|forged-line|evil/);
    },
  );

  it('a purpose with a ticket and a date is not mistaken for personal data', async () => {
    const { rows, outcome } = await newRows(() =>
      vault.detokenize([known], { actor: 'alice', purpose: 'DSAR-2026-014 2026-01-15' }),
    );
    expect(outcome).toMatchObject({ revealed: [{ value: 'ADV-P-1' }] });
    expect(rows.map((r) => [r.outcome?.S, r.purpose?.S])).toEqual([
      ['requested', 'DSAR-2026-014 2026-01-15'],
    ]);
  });

  it('a policy that throws denies, and the attempt is audited (failed, the error name, the actor as a shape)', async () => {
    // Prepare
    const broken: AuthorizePolicy = () => {
      throw new TypeError('policy store unreachable');
    };
    const guarded = fx.vault({ authorize: broken });
    // Act
    const { rows, outcome } = await newRows(() => guarded.detokenize([known], ALICE));
    // Assess
    expect(outcome).toBeInstanceOf(TypeError);
    expect(rows.map((r) => [r.outcome?.S, r.reason?.S, r.actorShape?.S, r.purpose?.S])).toEqual([
      ['failed', 'TypeError', 'a{5}', ALICE.purpose],
    ]);
    expect(rows[0]).not.toHaveProperty('actor');
  });

  it('a policy answering a truthy non-boolean ("false", 1) is a denial: only `true` allows', async () => {
    for (const answer of ['false', 1, {}] as unknown[]) {
      const loose = fx.vault({ authorize: (() => answer) as unknown as AuthorizePolicy });
      const { rows, outcome } = await newRows(() => loose.detokenize([known], ALICE));
      expect(outcome).toBeInstanceOf(UnauthorizedError);
      expect(rows.map((r) => r.outcome?.S)).toEqual(['denied']);
    }
  });

  it('forged tokens of a valid format, another kind or the same random part under another prefix are missing, never revealed', async () => {
    // Prepare
    const random = known.slice(known.indexOf('_') + 1);
    const asked = [known, `phn_${random}`, `eml_${random}`, forged('pat'), forged('zzzzzzzz')];
    // Act
    const { rows, outcome } = await newRows(() => vault.detokenize(asked, ALICE));
    // Assess
    expect(outcome).toMatchObject({ revealed: [{ token: known, kind: 'patient', value: 'ADV-P-1' }] });
    expect((outcome as { missing: string[] }).missing).toEqual(asked.slice(1));
    expect(rows.map((r) => r.outcome?.S)).toEqual(['requested']);
    expect(rows[0]?.tokens?.L?.map((t) => t.S)).toEqual(asked);
    expect(JSON.stringify(rows)).not.toContain('ADV-P-1');
  });

  it('a batch mixing a token with anything else (a lowercased token, a phone number, a non-string) is refused whole, keeping none of it', async () => {
    for (const intruder of [known.toLowerCase(), '+8801711234567', ` ${known}`, 42, null]) {
      const { rows, outcome } = await newRows(() => vault.detokenize([known, intruder] as never, ALICE));
      expect(outcome).toBeInstanceOf(InvalidTokenRequestError);
      expect(rows.map((r) => [r.outcome?.S, r.reason?.S, r.tokens?.L])).toEqual([
        ['invalid', 'InvalidTokenRequestError', []],
      ]);
      expect(JSON.stringify(rows)).not.toContain('1711234567');
      expect(String((outcome as Error).message)).not.toContain('1711234567');
    }
  });

  it('huge batches: 1000 tokens are answered and audited in one row; 1001, or a non-array, are refused as invalid', async () => {
    // Prepare
    const made = await vault.tokenize(
      Array.from({ length: 250 }, (_, i) => ({ kind: 'patient', value: `ADV-BULK-${i}` })),
    );
    const real = [...made.values()];
    const asked = [...real, ...Array.from({ length: 750 }, () => forged('pat'))];
    // Act
    const big = await newRows(() => vault.detokenize(asked, ALICE));
    const tooBig = await newRows(() => vault.detokenize([...asked, forged('pat')], ALICE));
    const notArray = await newRows(() => vault.detokenize(known as never, ALICE));
    // Assess
    const result = big.outcome as { revealed: unknown[]; missing: unknown[] };
    expect(result.revealed).toHaveLength(250);
    expect(result.missing).toHaveLength(750);
    expect(big.rows.map((r) => [r.outcome?.S, r.count?.N])).toEqual([['requested', '1000']]);
    expect(JSON.stringify(big.rows)).not.toContain('ADV-BULK-');
    for (const refused of [tooBig, notArray]) {
      expect(refused.outcome).toBeInstanceOf(InvalidTokenRequestError);
      expect(refused.rows.map((r) => r.outcome?.S)).toEqual(['invalid']);
    }
  });

  it('export and erase of an unknown subject, or by a never-issued token, are not_found and audited', async () => {
    const cases = [
      () => vault.exportSubject({ identifier: { kind: 'patient', value: 'ADV-NOBODY' } }, ALICE),
      () => vault.eraseSubject({ identifier: { kind: 'patient', value: 'ADV-NOBODY' } }, ALICE),
      () => vault.eraseSubject({ token: forged('pat') }, ALICE),
    ];
    for (const act of cases) {
      const { rows, outcome } = await newRows(act);
      expect(outcome).toMatchObject({ outcome: 'not_found' });
      expect(rows.map((r) => r.outcome?.S)).toEqual(['not_found']);
      expect(JSON.stringify(rows)).not.toContain('ADV-NOBODY');
    }
  });

  it('a subject named by a swapped or hostile kind is refused and audited without the text', async () => {
    for (const identifier of [
      { kind: '+8801711234567', value: 'phone' },
      { kind: 'patient#ENTRY', value: 'ADV-P-1' },
      { kind: 'patient', value: '' },
      { kind: 'patient', value: 'v'.repeat(1025) },
    ]) {
      const { rows, outcome } = await newRows(() => vault.exportSubject({ identifier }, ALICE));
      expect(outcome).toBeInstanceOf(InvalidTokenRequestError);
      expect(rows.map((r) => r.outcome?.S)).toEqual(['invalid']);
      expect(JSON.stringify(rows)).not.toMatch(/1711234567|patient#ENTRY/);
    }
  });

  it('re-indexing between the same or malformed versions is refused inside the audited call', async () => {
    const bad: unknown[] = [
      { fromVersion: 'v1', toVersion: 'v1' },
      { fromVersion: 'v1#patient', toVersion: 'v2' },
      { fromVersion: '', toVersion: 'v2' },
      { fromVersion: 'v1', toVersion: 'v2#x' },
      null,
    ];
    for (const options of bad) {
      const { rows, outcome } = await newRows(() => vault.reindex(options as never, ALICE));
      expect(outcome).toBeInstanceOf(InvalidTokenRequestError);
      expect(rows.map((r) => [r.action?.S, r.outcome?.S])).toEqual([['reindex', 'invalid']]);
    }
    // Nothing moved: the entry is still read under v1.
    expect((await vault.detokenize([known], ALICE)).revealed).toHaveLength(1);
  });
});
