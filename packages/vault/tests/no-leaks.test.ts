import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tokenKey } from '@residency/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AmbiguousSubjectError,
  createVaultAdminHandler,
  DecryptionError,
  ErasureNoticeDeliveryError,
  InvalidTokenRequestError,
  type Vault,
  type VaultAdminResponse,
} from '../src/index.ts';
import { ALICE, aliceOnly, startVaultFixture, type VaultFixture } from './fixtures.ts';
import { memoryVault } from './memory.ts';

// The privacy audit's reproductions (/tmp/audit-pii): identifiers typed in the wrong place must
// not come back in a response, a thrown error, an audit row or the CLI's output, and no token
// may sit where the Lambda runtime logs it.

const PHONE = '+8801711234567';
const EMAIL = 'rahim.canary@example.com';
/** Pieces of the identifiers above, and of the name: none may appear anywhere checked. */
const CANARIES = ['1711234567', 'rahim.canary', 'example.com', 'CanaryName', 'Rahim'];
/** A vault token anywhere in a text. */
const TOKEN = /[a-z][a-z0-9]{1,7}_[0-9A-HJKMNP-TV-Z]{26}/;

/**
 * What the Lambda Node.js runtime logs for an error a handler throws ("Invoke Error"): its
 * `Errors.toFormatted`, i.e. name, message, `code` and every enumerable own property, JSON.
 */
function lambdaRuntimeLogLine(error: unknown): string {
  const withEnumerableProperties = (value: unknown): unknown => {
    if (!(value instanceof Error)) return value;
    const out: Record<string, unknown> = {
      errorType: value.name,
      errorMessage: value.message,
      code: (value as { code?: unknown }).code,
    };
    Object.assign(out, value);
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  };
  return JSON.stringify(error, (_key, value) => withEnumerableProperties(value));
}

function expectNoCanary(text: string): void {
  for (const canary of CANARIES) expect(text).not.toContain(canary);
}

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = process.env.VAULT_CLI_BIN ?? join(ROOT, 'packages/cli/src/bin.ts');
const execute = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', BIN, 'vault', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        DETOKENIZE_PRINCIPALS: 'alice',
        // Should a check regress and the CLI reach for AWS, it fails fast instead of waiting.
        AWS_ACCESS_KEY_ID: 'none',
        AWS_SECRET_ACCESS_KEY: 'none',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the vault and vault-admin leak no identifier or token (dynalite + kms-local + kinesalite)', () => {
  let fx: VaultFixture;
  let tokens: ReadonlyMap<string, string>;
  let shared: { a: string; b: string; phone: string };

  beforeAll(async () => {
    fx = await startVaultFixture({ outbox: true });
    const linkTo = { kind: 'patient', value: 'LEAK-P-1' };
    tokens = await fx
      .vault()
      .tokenize([linkTo, { kind: 'phone', value: PHONE, linkTo }, { kind: 'email', value: EMAIL, linkTo }]);
    // Two patients sharing a phone: the phone's subject is ambiguous.
    const a = { kind: 'patient', value: 'LEAK-P-A' };
    const b = { kind: 'patient', value: 'LEAK-P-B' };
    const sharedPhone = '+8801711234568';
    const made = await fx
      .vault()
      .tokenize([
        a,
        b,
        { kind: 'phone', value: sharedPhone, linkTo: a },
        { kind: 'phone', value: sharedPhone, linkTo: b },
      ]);
    shared = {
      a: made.get(tokenKey('patient', 'LEAK-P-A')) as string,
      b: made.get(tokenKey('patient', 'LEAK-P-B')) as string,
      phone: sharedPhone,
    };
  });
  afterAll(async () => {
    await fx?.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function stubEnv(overrides: Record<string, string | undefined> = {}): void {
    const env: Record<string, string | undefined> = {
      DATA_REGION: fx.region,
      AWS_REGION: fx.region,
      KEY_ARN: fx.keyArn,
      VAULT_TABLE: fx.tables.vault,
      AUDIT_TABLE: fx.tables.audit,
      OUTBOX_STREAM_NAME: fx.outboxStream,
      DETOKENIZE_PRINCIPALS: 'dpo',
      AWS_ENDPOINT_URL_DYNAMODB: fx.endpoints.dynamodb,
      AWS_ENDPOINT_URL_KMS: fx.endpoints.kms,
      AWS_ENDPOINT_URL_KINESIS: fx.endpoints.kinesis,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...overrides,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }

  /** A fresh Lambda entry point (cold start) over the fixture. */
  async function coldHandler(
    overrides: Record<string, string | undefined> = {},
  ): Promise<(event: unknown) => Promise<VaultAdminResponse>> {
    stubEnv(overrides);
    vi.resetModules();
    return (await import('../src/handlers/vault-admin.ts')).handler;
  }

  /** The response as JSON, or what the runtime would log if the handler threw. */
  async function invoke(
    handler: (event: unknown) => Promise<VaultAdminResponse>,
    event: unknown,
  ): Promise<{ response?: VaultAdminResponse; text: string }> {
    try {
      const response = await handler(event);
      return { response, text: JSON.stringify(response) };
    } catch (error) {
      return { text: lambdaRuntimeLogLine(error) };
    }
  }

  const auditRows = async () =>
    (await fx.scan(fx.tables.audit)).map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([key, value]) => [key, (value as { S?: string; N?: string }).S ?? value]),
      ),
    );

  it('a swapped KIND:VALUE is refused with a path and a code, and the kind is kept on no error', async () => {
    // Prepare
    const handler = await coldHandler();
    // Act
    const byEmail = await invoke(handler, {
      action: 'export',
      actor: 'dpo',
      purpose: 'DSAR-1',
      subject: { identifier: { kind: EMAIL, value: 'email' } },
    });
    const byPhone = await invoke(handler, {
      action: 'erase',
      actor: 'dpo',
      purpose: 'DSAR-2',
      subject: { identifier: { kind: PHONE, value: 'phone' } },
    });
    const direct = await fx
      .vault({ authorize: aliceOnly })
      .exportSubject({ identifier: { kind: PHONE, value: 'phone' } }, ALICE)
      .catch((e: unknown) => e);
    // Assess
    for (const { response } of [byEmail, byPhone]) {
      expect(response).toEqual({
        ok: false,
        error: 'invalid_request',
        issues: [{ path: 'subject.identifier.kind', code: 'invalid_format' }],
      });
    }
    expect(direct).toBeInstanceOf(InvalidTokenRequestError);
    expect(Object.keys(direct as object)).not.toContain('kind');
    expect((direct as InvalidTokenRequestError).kind).toBeUndefined();
    for (const text of [byEmail.text, byPhone.text, lambdaRuntimeLogLine(direct)]) expectNoCanary(text);
  });

  it('vault-admin answers an unknown or malformed key with schema paths and codes only, never the key or value', async () => {
    const handler = await coldHandler();
    const results = await Promise.all(
      [
        {
          action: 'export',
          actor: 'dpo',
          purpose: 'DSAR-3',
          subject: { token: tokens.get(tokenKey('patient', 'LEAK-P-1')) },
          [EMAIL]: true,
        },
        {
          action: 'export',
          actor: 'dpo',
          purpose: 'DSAR-3',
          subject: { identifier: { kind: 'phone', value: PHONE, '01711234567': 1 } },
        },
        { action: 'export', actor: 'dpo', purpose: 'DSAR-4', subject: { token: '01711234567' } },
        { action: 'detokenize', actor: 'dpo', purpose: 'DSAR-4', tokens: [EMAIL] },
        { action: PHONE, actor: 'dpo', purpose: 'DSAR-4' },
      ].map((event) => invoke(handler, event)),
    );
    expect(results.map((r) => r.response)).toEqual([
      { ok: false, error: 'invalid_request', issues: [{ path: '', code: 'unrecognized_keys' }] },
      {
        ok: false,
        error: 'invalid_request',
        issues: [{ path: 'subject.identifier', code: 'unrecognized_keys' }],
      },
      { ok: false, error: 'invalid_request', issues: [{ path: 'subject.token', code: 'invalid_format' }] },
      { ok: false, error: 'invalid_request', issues: [{ path: 'tokens.0', code: 'invalid_format' }] },
      { ok: false, error: 'invalid_request', issues: [{ path: 'action', code: 'invalid_union' }] },
    ]);
    for (const { text } of results) expectNoCanary(text);
  });

  it('the audit log keeps who and why of a legitimate call, refuses an actor or purpose holding personal data, and keeps a refused actor only as a shape and a keyed digest', async () => {
    // Prepare
    const handler = await coldHandler();
    const subject = { identifier: { kind: 'email', value: EMAIL } };
    // Act
    const piiPurpose = await invoke(handler, {
      action: 'export',
      actor: 'dpo',
      purpose: 'call from Rahim CanaryName 01711234567',
      subject,
    });
    const piiActor = await invoke(handler, { action: 'export', actor: '01711234567', purpose: 'x', subject });
    const emailActor = await invoke(handler, { action: 'export', actor: EMAIL, purpose: 'DSAR-5', subject });
    const notAPrincipal = await invoke(handler, {
      action: 'export',
      actor: 'Rahim Uddin',
      purpose: 'note: "Rahim", mother of LEAK-P-1',
      subject,
    });
    const denied = await invoke(handler, { action: 'export', actor: 'mallory', purpose: 'DSAR-6', subject });
    const legit = await invoke(handler, {
      action: 'export',
      actor: 'dpo',
      purpose: 'DSAR-2026-014',
      subject,
    });
    // Assess: refusals say which field and why, never the text.
    expect(piiPurpose.response).toEqual({
      ok: false,
      error: 'invalid_request',
      issues: [{ path: 'purpose', code: 'pii' }],
    });
    expect(piiActor.response).toEqual({
      ok: false,
      error: 'invalid_request',
      issues: [{ path: 'actor', code: 'pii' }],
    });
    expect(emailActor.response).toMatchObject({ issues: [{ path: 'actor', code: 'pii' }] });
    expect(notAPrincipal.response).toEqual({
      ok: false,
      error: 'invalid_request',
      issues: [
        { path: 'actor', code: 'pattern' },
        { path: 'purpose', code: 'pattern' },
      ],
    });
    expect(denied.response).toEqual({ ok: false, error: 'unauthorized' });
    expect(legit.response).toMatchObject({ ok: true, outcome: 'found', subject: { value: 'LEAK-P-1' } });
    const requestId = (legit.response as unknown as { requestId: string }).requestId;

    const rows = await auditRows();
    // Every attempt is there: the refusals too.
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'invalid', actorShape: 'a{3}', reason: 'purpose:pii:phone' }),
        expect.objectContaining({
          outcome: 'invalid',
          actorShape: '9{11}',
          actorDigest: expect.stringMatching(/^v1:[0-9a-f]{32}$/),
          reason: 'actor:pii:phone',
        }),
        expect.objectContaining({ outcome: 'invalid', reason: 'actor:pii:email' }),
        expect.objectContaining({
          outcome: 'invalid',
          actorShape: 'a{5}?a{5}',
          reason: 'actor:pattern purpose:pattern',
        }),
        expect.objectContaining({
          outcome: 'denied',
          actorShape: 'a{7}',
          actorDigest: expect.stringMatching(/^v1:[0-9a-f]{32}$/),
          purpose: 'DSAR-6',
        }),
        expect.objectContaining({ requestId, outcome: 'requested', actor: 'dpo', purpose: 'DSAR-2026-014' }),
      ]),
    );
    const refused = rows.filter((r) => r.actorShape !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const row of refused) expect(row).not.toHaveProperty('actor');
    const dump = JSON.stringify(rows);
    expectNoCanary(dump);
    expect(dump).not.toContain('mallory');
    expect(dump).not.toContain('01711234567');
    for (const { text } of [piiPurpose, piiActor, emailActor, notAPrincipal, denied]) expectNoCanary(text);
  });

  it('an export that fails as ambiguous is audited, with tokens only; the error carries its tokens out of sight', async () => {
    // Prepare
    const vault = fx.vault({ authorize: aliceOnly });
    // Act
    const error = await vault
      .exportSubject({ identifier: { kind: 'phone', value: shared.phone } }, ALICE)
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AmbiguousSubjectError);
    const ambiguous = error as AmbiguousSubjectError;
    expect([...ambiguous.subjectTokens].sort()).toEqual([shared.a, shared.b].sort());
    expect(lambdaRuntimeLogLine(error)).not.toMatch(TOKEN);
    expect(Object.keys(ambiguous)).not.toEqual(expect.arrayContaining(['subjectTokens']));
    const rows = (await auditRows()).filter((r) => r.action === 'export' && r.outcome === 'ambiguous');
    expect(rows).toHaveLength(1);
    const [row] = rows as [Record<string, unknown>];
    expect(row).toMatchObject({ actor: 'alice', purpose: ALICE.purpose, reason: 'AmbiguousSubjectError' });
    expect(JSON.stringify(row.tokens)).toContain(shared.a);
    expect(JSON.stringify(row)).not.toContain('1711234568');
  });

  it('an undelivered erasure notice fails the invocation with a sanitized error: no token, no field, no cause', async () => {
    // Prepare: the outbox stream is there for the cold start (which describes it), then deleted.
    const stream = `outbox-gone-${randomBytes(4).toString('hex')}`;
    await fx.createStream(stream);
    const handler = await coldHandler({ OUTBOX_STREAM_NAME: stream });
    expect(await handler({ action: 'export' })).toMatchObject({ ok: false, error: 'invalid_request' });
    await fx.deleteStream(stream);
    const direct = await fx
      .vault({ authorize: aliceOnly, erasureSink: { send: () => Promise.reject(new Error(`to ${PHONE}`)) } })
      .eraseSubject({ token: tokens.get(tokenKey('patient', 'LEAK-P-1')) as string }, ALICE)
      .catch((e: unknown) => e);
    // Act
    const failed = await invoke(handler, {
      action: 'erase',
      actor: 'dpo',
      purpose: 'DSAR-7',
      subject: { token: tokens.get(tokenKey('patient', 'LEAK-P-1')) },
    });
    // Assess
    expect(failed.response).toBeUndefined();
    const logged = JSON.parse(failed.text);
    expect(logged).toMatchObject({
      errorType: 'ErasureNoticeDeliveryError',
      errorMessage: expect.stringMatching(/^erasure notice [0-9a-f-]{36} was not delivered/),
    });
    expect(Object.keys(logged).sort()).toEqual(['errorMessage', 'errorType', 'name', 'stack']);
    expect(failed.text).not.toMatch(TOKEN);
    // The vault's own error: the notice is readable, but not enumerable.
    expect(direct).toBeInstanceOf(ErasureNoticeDeliveryError);
    expect((direct as ErasureNoticeDeliveryError).notice.tokens).toHaveLength(3);
    expect(lambdaRuntimeLogLine(direct)).not.toMatch(TOKEN);
    expect(await fx.vault({ authorize: aliceOnly }).detokenize([...tokens.values()], ALICE)).toMatchObject({
      missing: [],
    });
  });

  it('a decryption failure escapes vault-admin without its token; the vault error holds it out of sight', async () => {
    // Prepare: put another entry's envelope under this entry (tampering).
    const linkTo = { kind: 'patient', value: 'LEAK-P-9' };
    const made = await fx.vault().tokenize([linkTo, { kind: 'phone', value: '+8801711234569', linkTo }]);
    const token = made.get(tokenKey('patient', 'LEAK-P-9')) as string;
    const other = made.get(tokenKey('phone', '+8801711234569')) as string;
    const items = await fx.scan(fx.tables.vault);
    const entryOf = (t: string) =>
      items.find(
        (i) => (i.sk as { S: string }).S === 'ENTRY' && (i.token as { S: string } | undefined)?.S === t,
      );
    const mine = entryOf(token) as Record<string, never>;
    await fx.clients().dynamodb.send(
      new PutItemCommand({
        TableName: fx.tables.vault,
        Item: { ...mine, env: (entryOf(other) as { env: never }).env },
      }),
    );
    const handler = await coldHandler();
    // Act
    const failed = await invoke(handler, {
      action: 'detokenize',
      actor: 'dpo',
      purpose: 'DSAR-8',
      tokens: [token],
    });
    const direct = await fx
      .vault({ authorize: aliceOnly })
      .detokenize([token], ALICE)
      .catch((e: unknown) => e);
    // Assess
    expect(JSON.parse(failed.text)).toMatchObject({ errorType: 'DecryptionError' });
    expect(failed.text).not.toMatch(TOKEN);
    expect(direct).toBeInstanceOf(DecryptionError);
    expect((direct as DecryptionError).token).toBe(token);
    expect(lambdaRuntimeLogLine(direct)).not.toMatch(TOKEN);
    const rows = (await auditRows()).filter((r) => r.purpose === ALICE.purpose && r.outcome === 'failed');
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'DecryptionError' })]));
  });
});

describe('vault-admin lets no unexpected error escape unsanitized', () => {
  it('throws a copy with the name and stack frames only: no message that may quote input, no fields, no cause', async () => {
    // Prepare: a vault whose store fails with an error quoting what it was given.
    const { vault } = memoryVault();
    const leaky = Object.assign(new Error(`GetItem failed for ${PHONE}`, { cause: new Error(EMAIL) }), {
      name: 'ValidationException',
      item: { pk: `IDX#${PHONE}` },
      $metadata: { httpStatusCode: 400 },
    });
    const broken: Vault = { ...vault, exportSubject: () => Promise.reject(leaky) };
    const handle = createVaultAdminHandler(broken);
    // Act
    const error = await handle({
      action: 'export',
      actor: 'alice',
      purpose: 'DSAR-9',
      subject: { identifier: { kind: 'phone', value: PHONE } },
    }).catch((e: unknown) => e);
    // Assess
    const logged = JSON.parse(lambdaRuntimeLogLine(error));
    expect(logged).toMatchObject({ errorType: 'ValidationException', httpStatus: 400 });
    expect(logged.errorMessage).toMatch(/withheld/);
    expect((error as Error).cause).toBeUndefined();
    expectNoCanary(lambdaRuntimeLogLine(error));
    expectNoCanary(String((error as Error).stack));
  });
});

describe('residency vault (CLI) prints no identifier, and fails in one line with a documented code', () => {
  let fx: VaultFixture;
  let dataDir: string;
  let subject: string;

  beforeAll(async () => {
    fx = await startVaultFixture({ outbox: true });
    dataDir = await mkdtemp(join(tmpdir(), 'vault-cli-leaks-'));
    await fx.writeEndpointsFile(dataDir);
    const linkTo = { kind: 'patient', value: 'CLI-LEAK-1' };
    const made = await fx.vault().tokenize([linkTo, { kind: 'phone', value: PHONE, linkTo }]);
    subject = made.get(tokenKey('patient', 'CLI-LEAK-1')) as string;
  });
  afterAll(async () => {
    await fx?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const who = () => ['--data-dir', dataDir, '--actor', 'alice', '--purpose', 'DSAR-10'];

  it('a swapped --identifier 01711234567:phone is a usage error that does not echo the number', async () => {
    const out = await cli(['export', ...who(), '--identifier', '01711234567:phone']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('before the first ":" is not a kind');
    expectNoCanary(out.stdout + out.stderr);
  }, 150_000);

  it('a purpose holding a phone number is refused (exit 2) and audited without it', async () => {
    const out = await cli([
      'export',
      '--data-dir',
      dataDir,
      '--actor',
      'alice',
      '--purpose',
      'call from Rahim CanaryName 01711234567',
      '--token',
      subject,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('purpose looks like personal data (phone)');
    expectNoCanary(out.stdout + out.stderr);
    expectNoCanary(JSON.stringify(await fx.scan(fx.tables.audit)));
  }, 150_000);

  it('erase against AWS without --outbox-stream is refused before anything is called', async () => {
    const out = await cli([
      'erase',
      '--actor',
      'alice',
      '--purpose',
      'DSAR-11',
      '--token',
      subject,
      '--region',
      'ap-south-1',
      '--table',
      'vault',
      '--audit-table',
      'audit',
      '--key-arn',
      'arn:aws:kms:ap-south-1:123456789012:key/abc',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('needs --outbox-stream');
  }, 150_000);

  it('an undelivered erasure notice exits 6 with one line and no stack, and nothing is erased', async () => {
    // Prepare: endpoints.json names an outbox stream that does not exist.
    const brokenDir = await mkdtemp(join(tmpdir(), 'vault-cli-nostream-'));
    const file = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8'));
    await writeFile(
      join(brokenDir, 'endpoints.json'),
      JSON.stringify({ ...file, streams: { outbox: 'outbox-missing' } }),
    );
    // Act
    const out = await cli([
      'erase',
      '--data-dir',
      brokenDir,
      '--actor',
      'alice',
      '--purpose',
      'DSAR-12',
      '--token',
      subject,
    ]);
    await rm(brokenDir, { recursive: true, force: true });
    // Assess
    expect(out.code).toBe(6);
    expect(out.stderr).toMatch(
      /^residency: erasure notice [0-9a-f-]{36} was not delivered; nothing was erased/,
    );
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).not.toMatch(TOKEN);
    const after = await cli(['detokenize', subject, ...who()]);
    expect(JSON.parse(after.stdout).missing).toEqual([]);
  }, 150_000);

  it('an unexpected failure prints its name in one line: no stack, no token, exit 1', async () => {
    // Prepare: the subject's entry gets another entry's envelope, so it fails to decrypt.
    const made = await fx.vault().tokenize([{ kind: 'patient', value: 'CLI-LEAK-2' }]);
    const victim = made.get(tokenKey('patient', 'CLI-LEAK-2')) as string;
    const items = await fx.scan(fx.tables.vault);
    const entryOf = (t: string) =>
      items.find(
        (i) => (i.sk as { S: string }).S === 'ENTRY' && (i.token as { S: string } | undefined)?.S === t,
      );
    await fx.clients().dynamodb.send(
      new PutItemCommand({
        TableName: fx.tables.vault,
        Item: {
          ...(entryOf(victim) as Record<string, never>),
          env: (entryOf(subject) as { env: never }).env,
        },
      }),
    );
    // Act
    const out = await cli(['detokenize', victim, ...who()]);
    // Assess
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^residency: DecryptionError: /);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(out.stderr).not.toMatch(TOKEN);
    expect(out.stdout).toBe('');
  }, 150_000);
});
