import { randomBytes } from 'node:crypto';
import { createAwsClients, RegionMismatchError } from '@residency/aws';
import { ErasureNoticeSchema, OutboxMessageSchema, tokenKey } from '@residency/core';
import { startDynalite } from '@residency/local';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVaultAdminHandler, readVaultAdminConfig, type VaultAdminResponse } from '../src/index.ts';
import { aliceOnly, createTable, startVaultFixture, type VaultFixture } from './fixtures.ts';
import { memoryVault } from './memory.ts';

const ENV = {
  DATA_REGION: 'ap-south-1',
  AWS_REGION: 'ap-south-1',
  KEY_ARN: 'arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  VAULT_TABLE: 'residency-vault',
  AUDIT_TABLE: 'arn:aws:dynamodb:ap-south-1:123456789012:table/residency-audit',
  OUTBOX_STREAM_NAME: 'residency-outbox',
};

/** What a refusal of `setting` looks like: a ConfigurationError naming it. */
const refusalOf = (setting: string) => expect.objectContaining({ name: 'ConfigurationError', setting });

// A cold start imports the handler module afresh (`vi.resetModules`), and with it fresh copies of
// the error classes, so errors thrown there are matched by name, not by class.
const named = (name: string) => expect.objectContaining({ name });

describe('vault-admin handler', () => {
  it('reads its configuration, accepting table and stream names or ARNs in the data region', () => {
    expect(readVaultAdminConfig(ENV)).toMatchObject({
      vaultTable: 'residency-vault',
      auditTable: 'residency-audit',
      outboxStream: 'residency-outbox',
    });
    expect(
      readVaultAdminConfig({
        ...ENV,
        OUTBOX_STREAM_NAME: 'arn:aws:kinesis:ap-south-1:123456789012:stream/residency-outbox',
      }).outboxStream,
    ).toBe('residency-outbox');
  });

  it('refuses to run when its region, key or a table is outside the data region (fail closed)', () => {
    expect(() => readVaultAdminConfig({ ...ENV, AWS_REGION: 'us-east-1' })).toThrow(RegionMismatchError);
    expect(() =>
      readVaultAdminConfig({ ...ENV, KEY_ARN: ENV.KEY_ARN.replace('ap-south-1', 'eu-west-1') }),
    ).toThrow(RegionMismatchError);
    expect(() =>
      readVaultAdminConfig({ ...ENV, AUDIT_TABLE: ENV.AUDIT_TABLE.replace('ap-south-1', 'us-west-2') }),
    ).toThrow(RegionMismatchError);
    expect(() => readVaultAdminConfig({ ...ENV, KEY_ARN: undefined })).toThrow(/KEY_ARN/);
  });

  it('refuses to run without an outbox stream in the data region: erasure notices would never leave', () => {
    for (const value of [undefined, '', '  ']) {
      expect(() => readVaultAdminConfig({ ...ENV, OUTBOX_STREAM_NAME: value })).toThrow(
        refusalOf('OUTBOX_STREAM_NAME'),
      );
    }
    expect(() =>
      readVaultAdminConfig({
        ...ENV,
        OUTBOX_STREAM_NAME: 'arn:aws:kinesis:us-east-1:123456789012:stream/residency-outbox',
      }),
    ).toThrow(RegionMismatchError);
    expect(() => readVaultAdminConfig({ ...ENV, OUTBOX_STREAM_NAME: ENV.AUDIT_TABLE })).toThrow(
      refusalOf('OUTBOX_STREAM_NAME'),
    );
  });

  it('maps requests and refusals: invalid request, unauthorized, results', async () => {
    const { vault } = memoryVault();
    const handle = createVaultAdminHandler(vault);
    const token = (await vault.tokenize([{ kind: 'patient', value: 'H-1' }])).get(tokenKey('patient', 'H-1'));
    expect(await handle({ action: 'detokenize', tokens: [token], actor: 'alice' })).toMatchObject({
      ok: false,
      error: 'invalid_request',
      issues: [expect.objectContaining({ path: 'purpose' })],
    });
    expect(await handle({ action: 'detokenize', tokens: [token], actor: 'eve', purpose: 'p' })).toEqual({
      ok: false,
      error: 'unauthorized',
    });
    expect(
      await handle({ action: 'export', subject: { token }, actor: 'alice', purpose: 'DSAR-9' }),
    ).toMatchObject({ ok: true, action: 'export', outcome: 'found', subject: { value: 'H-1' } });
  });

  it('finds a contact written as a person writes it, as the ingest normalized it', async () => {
    // Prepare: the ingest tokenized the phone and the email in their normal forms
    const { vault } = memoryVault();
    const handle = createVaultAdminHandler(vault);
    const linkTo = { kind: 'patient', value: 'H-2' };
    await vault.tokenize([
      linkTo,
      { kind: 'phone', value: '+8801712345678', linkTo },
      { kind: 'email', value: 'rahima.khatun@example.org', linkTo },
    ]);
    const asked = (kind: string, value: string, country?: string) =>
      handle({
        action: 'export',
        subject: { identifier: { kind, value, ...(country ? { country } : {}) } },
        actor: 'alice',
        purpose: 'DSAR-10',
      });
    // Act, Assess: each written another way is still this patient
    for (const [kind, value] of [
      ['phone', '01712345678'],
      ['phone', '+880 1712-345678'],
      ['email', 'Rahima.Khatun@Example.org'],
    ] as const) {
      expect(await asked(kind, value), value).toMatchObject({
        ok: true,
        outcome: 'found',
        subject: { value: 'H-2' },
      });
    }
    // A local number read in another country is another number; an unreadable one is refused, value-free
    expect(await asked('phone', '01712345678', 'IN')).toMatchObject({ ok: true, outcome: 'not_found' });
    const refused = await asked('phone', 'not a phone');
    expect(refused).toEqual({
      ok: false,
      error: 'invalid_request',
      issues: [{ path: 'subject.identifier.value', code: 'not_normalizable' }],
    });
  });
});

describe('vault-admin handler against dynalite + kms-local + kinesalite', () => {
  let fx: VaultFixture;
  beforeAll(async () => {
    fx = await startVaultFixture({ outbox: true });
  });
  afterAll(async () => {
    await fx?.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Sets the function's environment for the fixture (undone after each test). */
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

  /** The Lambda entry point of a fresh module: its next call is a cold start. */
  async function coldHandler(): Promise<(event: unknown) => Promise<VaultAdminResponse>> {
    vi.resetModules();
    return (await import('../src/handlers/vault-admin.ts')).handler;
  }

  /** Completes the cold start with a request the handler refuses before the vault sees it. */
  async function warmUp(handler: (event: unknown) => Promise<VaultAdminResponse>): Promise<void> {
    expect(await handler({ action: 'export' })).toMatchObject({ ok: false, error: 'invalid_request' });
  }

  const erase = (identifier: { kind: string; value: string }) => ({
    action: 'erase',
    subject: { identifier },
    actor: 'dpo',
    purpose: 'erasure request 12',
  });

  /** A patient with a phone and an email linked to it; returns its three tokens by identifier value. */
  async function registerPatient(
    patient: string,
    phone: string,
    email: string,
  ): Promise<Map<string, string>> {
    const linkTo = { kind: 'patient', value: patient };
    const tokens = await fx
      .vault()
      .tokenize([linkTo, { kind: 'phone', value: phone, linkTo }, { kind: 'email', value: email, linkTo }]);
    return new Map([
      [patient, tokens.get(tokenKey('patient', patient)) as string],
      [phone, tokens.get(tokenKey('phone', phone)) as string],
      [email, tokens.get(tokenKey('email', email)) as string],
    ]);
  }

  const exportOf = async (identifier: { kind: string; value: string }) =>
    (await fx.vault({ authorize: aliceOnly }).exportSubject({ identifier }, { actor: 'alice', purpose: 't' }))
      .outcome;

  it('erases by identifier and puts the erasure notice on the outbox stream: tokens only, no identifier', async () => {
    // Prepare
    const tokens = await registerPatient('H-2', '+919830012345', 'h2.person@example.org');
    stubEnv();
    const handler = await coldHandler();
    // Act
    const result = await handler(erase({ kind: 'phone', value: '+919830012345' }));
    // Assess
    expect(result).toMatchObject({ ok: true, action: 'erase', outcome: 'erased' });
    const notice = ErasureNoticeSchema.parse('notice' in result ? result.notice : undefined);
    expect([...notice.tokens].sort()).toEqual([...tokens.values()].sort());

    const records = (await fx.readStream(fx.outboxStream as string)).filter((r) =>
      r.data.includes(notice.noticeId),
    );
    expect(records).toHaveLength(1);
    const [record] = records as [{ partitionKey: string; data: string }];
    // One message on one line, exactly the notice, and nothing the strict schemas do not allow.
    expect(record.data).not.toContain('\n');
    const message = JSON.parse(record.data);
    expect(OutboxMessageSchema.parse(message)).toEqual({ kind: 'erasure', erasure: notice });
    expect(Object.keys(message)).toEqual(['kind', 'erasure']);
    expect(Object.keys(message.erasure).sort()).toEqual(['erasedAt', 'noticeId', 'schema', 'tokens']);
    expect(record.partitionKey).toBe(notice.noticeId);
    for (const identifier of [
      'H-2',
      '+919830012345',
      '919830012345',
      '9830012345',
      'h2.person',
      'example.org',
    ]) {
      expect(record.data).not.toContain(identifier);
      expect(record.partitionKey).not.toContain(identifier);
    }
    expect(await exportOf({ kind: 'patient', value: 'H-2' })).toBe('not_found');
  });

  it('refuses to start without OUTBOX_STREAM_NAME (missing or empty), erasing nothing', async () => {
    await registerPatient('H-3', '+919830012346', 'h3.person@example.org');
    for (const value of [undefined, '']) {
      stubEnv({ OUTBOX_STREAM_NAME: value });
      const handler = await coldHandler();
      await expect(handler(erase({ kind: 'patient', value: 'H-3' }))).rejects.toThrow(
        refusalOf('OUTBOX_STREAM_NAME'),
      );
    }
    expect(await exportOf({ kind: 'patient', value: 'H-3' })).toBe('found');
  });

  it('refuses to start with a Kinesis endpoint that is neither loopback nor Kinesis in the data region', async () => {
    for (const [endpoint, error] of [
      ['https://kinesis.us-east-1.amazonaws.com', 'RegionMismatchError'],
      ['https://kinesis-proxy.attacker.example', 'ConfigurationError'],
    ] as const) {
      stubEnv({ AWS_ENDPOINT_URL_KINESIS: endpoint });
      const handler = await coldHandler();
      await expect(handler(erase({ kind: 'patient', value: 'H-3' }))).rejects.toThrow(named(error));
    }
  });

  it('fails an erasure whose notice the outbox does not take, with nothing erased; erasing again delivers and erases', async () => {
    // Prepare: the outbox stream is there for the cold start (which describes it) and gone by the
    // erasure, so the put fails.
    const tokens = await registerPatient('H-4', '+919830012347', 'h4.person@example.org');
    const stream = `outbox-late-${randomBytes(4).toString('hex')}`;
    await fx.createStream(stream);
    stubEnv({ OUTBOX_STREAM_NAME: stream });
    const handler = await coldHandler();
    await warmUp(handler);
    await fx.deleteStream(stream);
    // Act
    const failed = await handler(erase({ kind: 'patient', value: 'H-4' })).catch((e: unknown) => e);
    // Assess: a failure, not a success, and the subject is intact.
    expect(failed).toEqual(named('ErasureNoticeDeliveryError'));
    expect(await exportOf({ kind: 'patient', value: 'H-4' })).toBe('found');
    const revealed = await fx
      .vault({ authorize: aliceOnly })
      .detokenize([...tokens.values()], { actor: 'alice', purpose: 't' });
    expect(revealed.missing).toEqual([]);

    // Act: the stream is there now; the same (warm) function is asked again.
    await fx.createStream(stream);
    const result = await handler(erase({ kind: 'patient', value: 'H-4' }));
    // Assess: erased, and the outbox holds the second notice only.
    expect(result).toMatchObject({ ok: true, outcome: 'erased' });
    const notice = ErasureNoticeSchema.parse('notice' in result ? result.notice : undefined);
    expect([...notice.tokens].sort()).toEqual([...tokens.values()].sort());
    const records = await fx.readStream(stream);
    expect(records.map((r) => OutboxMessageSchema.parse(JSON.parse(r.data)))).toEqual([
      { kind: 'erasure', erasure: notice },
    ]);
    expect((failed as Error).message).toMatch(/^erasure notice [0-9a-f-]{36} was not delivered/);
    expect((failed as Error).message).not.toContain(notice.noticeId);
    expect(await exportOf({ kind: 'patient', value: 'H-4' })).toBe('not_found');
  });

  it('refuses to start when a table reports an ARN outside the data region, and keeps refusing: a configuration failure is remembered', async () => {
    // Prepare: a DynamoDB that reports eu-west-1 ARNs, on loopback, holding tables of the same names.
    await registerPatient('H-5', '+919830012348', 'h5.person@example.org');
    const elsewhere = await startDynalite({ region: 'eu-west-1' });
    const foreign = createAwsClients({ region: 'eu-west-1', endpoints: { dynamodb: elsewhere.url } });
    try {
      await createTable(foreign.dynamodb, fx.tables.vault);
      await createTable(foreign.dynamodb, fx.tables.audit);
      stubEnv({ AWS_ENDPOINT_URL_DYNAMODB: elsewhere.url });
      const handler = await coldHandler();
      // Act
      const refused = await handler(erase({ kind: 'patient', value: 'H-5' })).catch((e: unknown) => e);
      // The endpoint is fixed, but the environment keeps its refusal.
      stubEnv();
      const again = await handler(erase({ kind: 'patient', value: 'H-5' })).catch((e: unknown) => e);
      // Assess
      expect(refused).toEqual(named('RegionMismatchError'));
      expect((refused as Error).message).toMatch(
        /^VAULT_TABLE table \(arn:aws:dynamodb:eu-west-1:.*'ap-south-1'; refusing to run$/,
      );
      expect(again).toEqual(named('RegionMismatchError'));
      expect((again as Error).message).toBe((refused as Error).message);
      expect(await exportOf({ kind: 'patient', value: 'H-5' })).toBe('found');
    } finally {
      void foreign.destroy();
      await elsewhere.close();
    }
  });

  it('a resource it cannot describe fails the cold start with a clear error naming no resource, and the next invocation starts again', async () => {
    // Prepare: the outbox stream is missing at the first cold start.
    const tokens = await registerPatient('H-6', '+919830012349', 'h6.person@example.org');
    const stream = `outbox-later-${randomBytes(4).toString('hex')}`;
    stubEnv({ OUTBOX_STREAM_NAME: stream });
    const handler = await coldHandler();
    // Act
    const failed = await handler(erase({ kind: 'patient', value: 'H-6' })).catch((e: unknown) => e);
    // Assess: the SDK's name and status; a fixed message instead of its own (which names the
    // stream); no other field, no cause; nothing erased.
    expect(failed).toEqual(named('ResourceNotFoundException'));
    const error = failed as Error & Record<string, unknown>;
    expect(error.message).toMatch(
      /^vault-admin cold start failed: the live residency check .* did not complete/,
    );
    expect(Object.keys(error).sort()).toEqual(expect.arrayContaining(['httpStatus', 'name']));
    expect(Object.keys(error).filter((k) => !['errorCode', 'httpStatus', 'name'].includes(k))).toEqual([]);
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(stream);
    expect(await exportOf({ kind: 'patient', value: 'H-6' })).toBe('found');

    // Act: the stream exists now; the same environment is invoked again.
    await fx.createStream(stream);
    const result = await handler(erase({ kind: 'patient', value: 'H-6' }));
    // Assess: this invocation ran the cold start again, and erased.
    expect(result).toMatchObject({ ok: true, action: 'erase', outcome: 'erased' });
    const notice = ErasureNoticeSchema.parse('notice' in result ? result.notice : undefined);
    expect([...notice.tokens].sort()).toEqual([...tokens.values()].sort());
    expect(await exportOf({ kind: 'patient', value: 'H-6' })).toBe('not_found');
  });
});
