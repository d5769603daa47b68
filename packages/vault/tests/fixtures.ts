import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  type AwsClients,
  type CallCounter,
  createAwsClients,
  ENDPOINTS_FILE_NAME,
  type EndpointsFile,
} from '@residency/aws';
import { createKmsServer, type KmsServer } from '@residency/kms-local';
import {
  compositeKey,
  ensureTable,
  type RunningEmulator,
  startDynalite,
  startKinesalite,
} from '@residency/local';
import { type CreateVaultOptions, createVault, type Vault } from '../src/index.ts';

/** The region every fixture serves. */
export const REGION = 'ap-south-1';

/**
 * dynalite + kms-local on free ports in a temp dir, with vault and audit tables and a KMS key;
 * with `outbox`, kinesalite too, with an outbox stream of one shard.
 */
export interface VaultFixture {
  region: string;
  accountId: string;
  keyArn: string;
  endpoints: { dynamodb: string; kms: string; kinesis?: string };
  tables: { vault: string; audit: string };
  /** The outbox stream's name (with `outbox` only). */
  outboxStream?: string;
  dataDir: string;
  kms: KmsServer;
  /** New SDK clients for the emulators (closed by `close`). */
  clients(counter?: CallCounter): AwsClients;
  /** A new vault with its own clients (so separate vaults share nothing in memory). */
  vault(options?: Partial<Omit<CreateVaultOptions, 'clients'>> & { counter?: CallCounter }): Vault;
  /** Every item of a table. */
  scan(table: string): Promise<Array<Record<string, unknown>>>;
  /** Creates a stream of one shard on kinesalite and waits until it is active (with `outbox` only). */
  createStream(name: string): Promise<void>;
  /** Deletes a stream (kinesalite deletes at once; with `outbox` only). */
  deleteStream(name: string): Promise<void>;
  /** Every record of a stream from its start (with `outbox` only): partition key and data as text. */
  readStream(name: string): Promise<Array<{ partitionKey: string; data: string }>>;
  /** Writes `dir/endpoints.json` pointing at this fixture, as `residency up` would. */
  writeEndpointsFile(dir: string): Promise<EndpointsFile>;
  close(): Promise<void>;
}

/** Creates a `pk` (S) + `sk` (S) on-demand table, as the local stack does. */
export async function createTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  await ensureTable(dynamodb, compositeKey(name));
}

/** Starts a fixture (call in beforeAll; `close` in afterAll). */
export async function startVaultFixture(options: { outbox?: boolean } = {}): Promise<VaultFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vault-test-'));
  const dynalite: RunningEmulator = await startDynalite({ region: REGION });
  const kms = await createKmsServer({ region: REGION, dataDir });
  const kinesalite = options.outbox ? await startKinesalite({ region: REGION }) : undefined;
  const all: AwsClients[] = [];
  const vaults: Vault[] = [];
  const endpoints = {
    dynamodb: dynalite.url,
    kms: kms.url,
    ...(kinesalite ? { kinesis: kinesalite.url } : {}),
  };
  const clients = (counter?: CallCounter) => {
    const made = createAwsClients({ region: REGION, endpoints }, counter ? { counter } : {});
    all.push(made);
    return made;
  };
  const admin = clients();
  const suffix = randomBytes(4).toString('hex');
  const tables = { vault: `vault-${suffix}`, audit: `audit-${suffix}` };
  await createTable(admin.dynamodb, tables.vault);
  await createTable(admin.dynamodb, tables.audit);
  const key = await admin.kms.send(new CreateKeyCommand({ Description: 'vault test key' }));
  const keyArn = key.KeyMetadata?.Arn as string;
  const createStream = async (name: string) => {
    if (!kinesalite) throw new Error('start the fixture with { outbox: true } for streams');
    await admin.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const summary = await admin.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`stream ${name} did not become active`);
  };
  const outboxStream = kinesalite ? `outbox-${suffix}` : undefined;
  if (outboxStream) await createStream(outboxStream);

  return {
    region: REGION,
    accountId: kms.accountId,
    keyArn,
    endpoints,
    tables,
    ...(outboxStream ? { outboxStream } : {}),
    dataDir,
    kms,
    clients,
    createStream,
    async deleteStream(name) {
      if (!kinesalite) throw new Error('start the fixture with { outbox: true } for streams');
      await admin.kinesis.send(new DeleteStreamCommand({ StreamName: name }));
    },
    async readStream(name) {
      const out: Array<{ partitionKey: string; data: string }> = [];
      const shards = await admin.kinesis.send(new ListShardsCommand({ StreamName: name }));
      for (const shard of shards.Shards ?? []) {
        let iterator = (
          await admin.kinesis.send(
            new GetShardIteratorCommand({
              StreamName: name,
              ShardId: shard.ShardId,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          )
        ).ShardIterator;
        while (iterator) {
          const page = await admin.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
          const records = page.Records ?? [];
          for (const r of records) {
            out.push({
              partitionKey: r.PartitionKey ?? '',
              data: Buffer.from(r.Data ?? []).toString('utf8'),
            });
          }
          if (records.length === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      return out;
    },
    vault(options = {}) {
      const { counter, ...rest } = options;
      const vault = createVault({
        clients: clients(counter),
        region: REGION,
        keyArn,
        tableName: tables.vault,
        auditTableName: tables.audit,
        ...rest,
      });
      vaults.push(vault);
      return vault;
    },
    async scan(table) {
      const items: Array<Record<string, unknown>> = [];
      let start: Record<string, never> | undefined;
      do {
        const out = await admin.dynamodb.send(
          new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        items.push(...((out.Items ?? []) as Array<Record<string, unknown>>));
        start = out.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return items;
    },
    async writeEndpointsFile(dir) {
      const file: EndpointsFile = {
        region: REGION,
        accountId: kms.accountId,
        endpoints: { kinesis: 'http://127.0.0.1:9', ...endpoints },
        keyArn,
        streams: outboxStream ? { outbox: outboxStream } : {},
        tables: { ...tables },
      };
      await writeFile(join(dir, ENDPOINTS_FILE_NAME), JSON.stringify(file, null, 2));
      return file;
    },
    async close() {
      for (const vault of vaults) vault.close();
      for (const c of all) c.destroy();
      await kms.close();
      await dynalite.close();
      await kinesalite?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The access every test uses: an allowed actor with a purpose. */
export const ALICE = { actor: 'alice', purpose: 'test: DSAR-1' } as const;

/** A policy that lets only ALICE do anything. */
export const aliceOnly = (actor: string) => actor === ALICE.actor;
