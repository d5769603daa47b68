import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createAwsClients } from '@residency/aws';
import { tokenKey } from '@residency/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKmsKeyProvider,
  createVault,
  DecryptionError,
  KeyServiceError,
  type Vault,
} from '../src/index.ts';
import { ALICE, aliceOnly, createTable, REGION, startVaultFixture, type VaultFixture } from './fixtures.ts';

// An adversary with write access to the vault table (or a KMS endpoint that lies) must get a
// clear error and no plaintext: never another entry's value, never a value under a foreign key.

type Item = Record<string, { S?: string; B?: Uint8Array; N?: string }>;

/** Envelope layout (README): version(1) | data key id(16) | IV(12) | ciphertext | tag(16). */
const IV_AT = 17;
const BODY_AT = 29;

describe('tampered vault items (dynalite + kms-local)', () => {
  let fx: VaultFixture;
  let tokens: ReadonlyMap<string, string>;
  const token = (value: string) => tokens.get(tokenKey('patient', value)) as string;

  beforeAll(async () => {
    fx = await startVaultFixture();
    tokens = await fx
      .vault()
      .tokenize(
        [
          'T-FLIP',
          'T-IV-A',
          'T-IV-B',
          'T-SHORT',
          'T-VER',
          'T-OK-1',
          'T-OK-2',
          'T-DK',
          'T-FOREIGN',
          'T-KEY2',
        ].map((value) => ({ kind: 'patient', value })),
      );
  });
  afterAll(async () => {
    await fx?.close();
  });

  const items = async (table = fx.tables.vault) => (await fx.scan(table)) as Item[];
  const entryOf = async (t: string, table = fx.tables.vault) =>
    (await items(table)).find((i) => i.sk?.S === 'ENTRY' && i.token?.S === t) as Item;
  const put = (item: Item, table = fx.tables.vault) =>
    fx.clients().dynamodb.send(new PutItemCommand({ TableName: table, Item: item as never }));
  const withEnv = async (t: string, edit: (env: Buffer) => Buffer) => {
    const entry = await entryOf(t);
    await put({ ...entry, env: { B: edit(Buffer.from(entry.env?.B as Uint8Array)) } });
  };
  const auditFailures = async () =>
    ((await fx.scan(fx.tables.audit)) as Item[]).filter((r) => r.outcome?.S === 'failed');

  /** A cold vault (nothing in memory) detokenizing: the error, or the result if it did not fail. */
  const attempt = (ts: string[], vault: Vault = fx.vault({ authorize: aliceOnly })) =>
    vault.detokenize(ts, ALICE).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );

  it('a flipped ciphertext byte, or a tag byte, fails authentication: DecryptionError, audited, no plaintext', async () => {
    // Prepare
    await withEnv(token('T-FLIP'), (env) => {
      env[BODY_AT] = (env[BODY_AT] as number) ^ 0x01;
      return env;
    });
    const failuresBefore = (await auditFailures()).length;
    // Act
    const { result, error } = await attempt([token('T-FLIP')]);
    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).token).toBe(token('T-FLIP'));
    expect(String((error as Error).message)).not.toContain('T-FLIP');
    const failures = await auditFailures();
    expect(failures.length).toBe(failuresBefore + 1);
    expect(failures.map((r) => r.reason?.S)).toContain('DecryptionError');
  });

  it("an IV taken from another entry's envelope fails: the IV is authenticated with the rest", async () => {
    // Prepare
    const donor = Buffer.from((await entryOf(token('T-IV-B'))).env?.B as Uint8Array);
    await withEnv(token('T-IV-A'), (env) => {
      donor.copy(env, IV_AT, IV_AT, BODY_AT);
      return env;
    });
    // Act
    const { error } = await attempt([token('T-IV-A')]);
    // Assess
    expect(error).toBeInstanceOf(DecryptionError);
  });

  it('a truncated envelope or an unknown envelope version is a DecryptionError, not an invariant failure', async () => {
    // Prepare
    await withEnv(token('T-SHORT'), (env) => env.subarray(0, 20));
    await withEnv(token('T-VER'), (env) => {
      env[0] = 2;
      return env;
    });
    // Act
    const short = await attempt([token('T-SHORT')]);
    const version = await attempt([token('T-VER')]);
    // Assess
    expect(short.error).toBeInstanceOf(DecryptionError);
    expect(version.error).toBeInstanceOf(DecryptionError);
  });

  it('partial reveal rule: one tampered entry in a batch fails the whole call, revealing none of the good ones', async () => {
    // Act
    const { result, error } = await attempt([token('T-OK-1'), token('T-FLIP'), token('T-OK-2')]);
    const good = await attempt([token('T-OK-1'), token('T-OK-2')]);
    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(DecryptionError);
    expect(good.result?.revealed.map((r) => r.value).sort()).toEqual(['T-OK-1', 'T-OK-2']);
  });

  it('an envelope naming a data key the vault does not hold fails with DecryptionError', async () => {
    // Prepare: point the envelope at a data key id that was never stored.
    await withEnv(token('T-DK'), (env) => {
      env.fill(0xab, 1, IV_AT);
      return env;
    });
    // Act
    const { error } = await attempt([token('T-DK')]);
    // Assess
    expect(error).toBeInstanceOf(DecryptionError);
  });

  it('a data key record taken from another vault (same KMS key) does not unwrap here: its encryption context names the other vault', async () => {
    // Prepare: another vault table with its own entries and data key.
    const other = `other-${Date.now().toString(36)}`;
    await createTable(fx.clients().dynamodb, other);
    await fx.vault({ tableName: other }).tokenize([{ kind: 'patient', value: 'T-FOREIGN' }]);
    const foreignKey = (await items(other)).find((i) => i.pk?.S?.startsWith('DK#')) as Item;
    const mine = Buffer.from((await entryOf(token('T-FOREIGN'))).env?.B as Uint8Array);
    const myKeyId = `DK#${mine.subarray(1, IV_AT).toString('hex')}`;
    // Act: the foreign wrapped key stored under this vault's data key id.
    await put({ ...foreignKey, pk: { S: myKeyId } });
    const { result, error } = await attempt([token('T-FOREIGN')]);
    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(KeyServiceError);
    expect((error as KeyServiceError).operation).toBe('Decrypt');
  });

  it('a data key record wrapped by another KMS key is refused by KMS: Decrypt names the configured key', async () => {
    // Prepare: a vault on a second KMS key, over its own table.
    const admin = fx.clients();
    const second = await admin.kms.send(new CreateKeyCommand({ Description: 'another vault key' }));
    const table = `key2-${Date.now().toString(36)}`;
    await createTable(admin.dynamodb, table);
    await fx
      .vault({ tableName: table, keyArn: second.KeyMetadata?.Arn as string })
      .tokenize([{ kind: 'patient', value: 'T-KEY2' }]);
    const foreignKey = (await items(table)).find((i) => i.pk?.S?.startsWith('DK#')) as Item;
    const mine = Buffer.from((await entryOf(token('T-KEY2'))).env?.B as Uint8Array);
    await put({ ...foreignKey, pk: { S: `DK#${mine.subarray(1, IV_AT).toString('hex')}` } });
    // Act
    const { error } = await attempt([token('T-KEY2')]);
    // Assess
    expect(error).toBeInstanceOf(KeyServiceError);
  });
});

/** A loopback proxy in front of kms-local that rewrites `KeyId` in the answers to `targets`. */
async function startLyingKms(upstream: string, targets: readonly string[], keyId: (arn: string) => string) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length',
        ),
      ) as Record<string, string>;
      const answer = await fetch(upstream, { method: 'POST', headers, body: Buffer.concat(chunks) });
      let body = await answer.text();
      const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (answer.ok && targets.includes(target)) {
        const json = JSON.parse(body) as { KeyId: string };
        body = JSON.stringify({ ...json, KeyId: keyId(json.KeyId) });
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a KMS endpoint that answers for another key fails closed (kms-local behind a lying proxy)', () => {
  let fx: VaultFixture;
  let proxy: Awaited<ReturnType<typeof startLyingKms>>;
  const clients: Array<{ destroy(): void }> = [];
  beforeAll(async () => {
    fx = await startVaultFixture();
    // The same key id, in another region: what a misrouted or spoofed endpoint would answer.
    proxy = await startLyingKms(fx.endpoints.kms, ['Decrypt', 'GenerateDataKey'], (arn) =>
      arn.replace(`:${REGION}:`, ':eu-west-1:'),
    );
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await proxy?.close();
    await fx?.close();
  });

  const lyingVault = () => {
    const made = createAwsClients({ region: REGION, endpoints: { ...fx.endpoints, kms: proxy.url } });
    clients.push(made);
    return createVault({
      clients: made,
      region: REGION,
      keyArn: fx.keyArn,
      tableName: fx.tables.vault,
      auditTableName: fx.tables.audit,
      authorize: aliceOnly,
    });
  };

  it('Decrypt and GenerateDataKey answering with a KeyId in another region are KeyServiceErrors; nothing is tokenized or revealed', async () => {
    // Prepare: entries made through the honest endpoint.
    const made = await fx.vault().tokenize([{ kind: 'patient', value: 'K-1' }]);
    const t = made.get(tokenKey('patient', 'K-1')) as string;
    // Act
    const tokenizeError = await lyingVault()
      .tokenize([{ kind: 'patient', value: 'K-2' }])
      .catch((e: unknown) => e);
    const detokenizeError = await lyingVault()
      .detokenize([t], ALICE)
      .catch((e: unknown) => e);
    // Assess
    expect(tokenizeError).toBeInstanceOf(KeyServiceError);
    expect(detokenizeError).toBeInstanceOf(KeyServiceError);
    expect((detokenizeError as Error).message).not.toContain('K-1');
    const rows = (await fx.scan(fx.tables.audit)) as Item[];
    expect(rows.map((r) => [r.outcome?.S, r.reason?.S])).toContainEqual(['failed', 'KeyServiceError']);
  });
});

describe('KMS key provider: a refused answer leaves no key material behind', () => {
  const keyArn = `arn:aws:kms:${REGION}:000000000000:key/11111111-2222-3333-4444-555555555555`;
  const answering = (response: Record<string, unknown>) =>
    createKmsKeyProvider({ kms: { send: async () => response } as unknown as KMSClient, keyArn });

  it('zeroes the plaintext of a Decrypt or GenerateDataKey answered for another key, or of the wrong length', async () => {
    // Prepare
    const foreign = keyArn.replace(REGION, 'us-east-1');
    const decrypted = Buffer.alloc(32, 0x5a);
    const generated = Buffer.alloc(32, 0x5b);
    const short = Buffer.alloc(16, 0x5c);
    // Act
    const a = await answering({ Plaintext: decrypted, KeyId: foreign })
      .decrypt(Buffer.from('x'), { vault: 'v' })
      .catch((e: unknown) => e);
    const b = await answering({ Plaintext: generated, KeyId: foreign, CiphertextBlob: Buffer.from('w') })
      .generateDataKey({ vault: 'v' })
      .catch((e: unknown) => e);
    const c = await answering({ Plaintext: short, KeyId: keyArn })
      .decrypt(Buffer.from('x'), { vault: 'v' })
      .catch((e: unknown) => e);
    // Assess
    for (const error of [a, b, c]) expect(error).toBeInstanceOf(KeyServiceError);
    expect(decrypted.every((byte) => byte === 0)).toBe(true);
    expect(generated.every((byte) => byte === 0)).toBe(true);
    expect(short.every((byte) => byte === 0)).toBe(true);
  });
});
