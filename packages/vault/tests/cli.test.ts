import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ErasureNoticeSchema, normalizePhone, OutboxMessageSchema, tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultFixture, type VaultFixture } from './fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
// The real CLI entry (it loads every command file). VAULT_CLI_BIN may point at another entry
// that registers the same command, for when a sibling command is broken mid-edit.
const BIN = process.env.VAULT_CLI_BIN ?? join(ROOT, 'packages/cli/src/bin.ts');
const run = promisify(execFile);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(
  args: string[],
  env: Record<string, string> = { DETOKENIZE_PRINCIPALS: 'alice,dpo' },
): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', BIN, 'vault', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('residency vault (CLI, end to end against dynalite + kms-local + kinesalite)', () => {
  let fx: VaultFixture;
  let dataDir: string;
  let tokens: ReadonlyMap<string, string>;
  const phone = normalizePhone('098300 12345', 'IN');
  const who = (dir: string) => ['--data-dir', dir, '--actor', 'alice', '--purpose', 'DSAR-7'];

  beforeAll(async () => {
    fx = await startVaultFixture({ outbox: true });
    dataDir = await mkdtemp(join(tmpdir(), 'vault-cli-'));
    await fx.writeEndpointsFile(dataDir);
    if (!phone.ok) throw new Error('fixture phone does not normalize');
    const linkTo = { kind: 'patient', value: 'CLI-P-1' };
    const vault = fx.vault();
    tokens = await vault.tokenize([
      linkTo,
      { kind: 'phone', value: phone.value, linkTo },
      { kind: 'email', value: 'cli.person@example.org', linkTo },
      { kind: 'patient', value: 'CLI-P-2' },
    ]);
  });
  afterAll(async () => {
    await fx?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('record-ids: prints the record id the pipeline derives for each event id, with no actor or purpose', async () => {
    const eventIds = ['7d1f3c1e-8a51-4d7e-9a7a-0f1b2c3d4e5f', '8f14e45f-ceea-467f-a5b1-234567890124'];
    const out = await cli(['record-ids', '--data-dir', dataDir, ...eventIds], {});
    expect(out.code, out.stderr).toBe(0);
    const expected = await fx.vault().recordIds(eventIds);
    expect(JSON.parse(out.stdout)).toEqual({
      recordIds: { [eventIds[0] as string]: expected[0], [eventIds[1] as string]: expected[1] },
    });
    const missing = await cli(['record-ids', '--data-dir', dataDir], {});
    expect(missing.code).toBe(2);
  }, 150_000);

  it('keyed-token: prints the token an appointment id crosses under, for an allowed actor only', async () => {
    const out = await cli(['keyed-token', ...who(dataDir), '--identifier', 'appointment:A-CLI-1']);
    expect(out.code, out.stderr).toBe(0);
    const tokens = await fx.vault().tokenize([{ kind: 'appointment', value: 'A-CLI-1', keyed: true }]);
    expect(JSON.parse(out.stdout)).toMatchObject({ token: tokens.get(tokenKey('appointment', 'A-CLI-1')) });
    const refused = await cli(['keyed-token', ...who(dataDir), '--identifier', 'appointment:A-CLI-1'], {
      DETOKENIZE_PRINCIPALS: 'dpo',
    });
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
  }, 150_000);

  it('export: prints the subject and its contacts as JSON, found by a local-format phone number', async () => {
    const out = await cli([
      'export',
      ...who(dataDir),
      '--identifier',
      'phone:098300 12345',
      '--country',
      'IN',
    ]);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({
      outcome: 'found',
      subject: { kind: 'patient', value: 'CLI-P-1', token: tokens.get(tokenKey('patient', 'CLI-P-1')) },
    });
    expect(result.contacts.map((c: { kind: string }) => c.kind).sort()).toEqual(['email', 'phone']);
  }, 150_000);

  it('detokenize: prints the identifiers behind tokens; --purpose is required; an actor outside the allowlist is refused and audited', async () => {
    const token = tokens.get(tokenKey('patient', 'CLI-P-2')) as string;
    const ok = await cli(['detokenize', token, ...who(dataDir)]);
    const noPurpose = await cli(['detokenize', token, '--data-dir', dataDir, '--actor', 'alice']);
    const denied = await cli([
      'detokenize',
      token,
      '--data-dir',
      dataDir,
      '--actor',
      'mallory',
      '--purpose',
      'x',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      revealed: [{ token, kind: 'patient', value: 'CLI-P-2' }],
      missing: [],
    });
    expect(noPurpose.code).not.toBe(0);
    expect(noPurpose.stderr).toContain('--purpose');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('the actor is not authorized to detokenize');
    expect(denied.stderr).not.toContain('mallory');
    expect(denied.stdout).toBe('');
    const audit = await fx.scan(fx.tables.audit);
    expect(
      audit.map((r) => [
        (r.actor as { S: string } | undefined)?.S ?? (r.actorShape as { S: string }).S,
        (r.outcome as { S: string }).S,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['alice', 'requested'],
        ['a{7}', 'denied'],
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain('mallory');
  }, 150_000);

  it('erase: prints the erasure notice and puts it on the outbox; afterwards the tokens resolve to nothing and export finds no subject', async () => {
    const subject = tokens.get(tokenKey('patient', 'CLI-P-1')) as string;
    const erased = await cli(['erase', ...who(dataDir), '--token', subject]);
    expect(erased.code).toBe(0);
    const result = JSON.parse(erased.stdout);
    expect(result.outcome).toBe('erased');
    expect(ErasureNoticeSchema.parse(result.notice).tokens).toHaveLength(3);
    expect(result.notice.tokens).toContain(subject);
    const outbox = (await fx.readStream(fx.outboxStream as string)).map((r) =>
      OutboxMessageSchema.parse(JSON.parse(r.data)),
    );
    expect(outbox).toEqual([{ kind: 'erasure', erasure: result.notice }]);

    const after = await cli(['detokenize', ...result.notice.tokens, ...who(dataDir)]);
    expect(JSON.parse(after.stdout).missing.sort()).toEqual([...result.notice.tokens].sort());
    const exported = await cli(['export', ...who(dataDir), '--identifier', 'email:cli.person@example.org']);
    expect(exported.code).toBe(1);
    expect(JSON.parse(exported.stdout)).toMatchObject({ outcome: 'not_found' });
  }, 150_000);

  it('refuses to start against AWS with a key outside the data region', async () => {
    const out = await cli([
      'detokenize',
      'pat_00000000000000000000000000',
      '--actor',
      'alice',
      '--purpose',
      'x',
      '--region',
      'ap-south-1',
      '--table',
      'vault',
      '--audit-table',
      'audit',
      '--key-arn',
      'arn:aws:kms:us-east-1:123456789012:key/abc',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("data region is 'ap-south-1'");
  }, 150_000);
});
