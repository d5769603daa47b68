import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { AwsClients } from '@residency/aws';
import { ProvisioningError } from '../errors.ts';
import type { LocalResourceDefinitions, TableSpec } from './local-resources.ts';

/** Names by role and the key ARN, as they go into `endpoints.json`. */
export interface ProvisionedResources {
  streams: Record<string, string>;
  tables: Record<string, string>;
  keyArn: string;
}

const ACTIVE_TIMEOUT_MILLIS = 30_000;
const ACTIVE_POLL_MILLIS = 10;

/**
 * Creates what is missing and leaves what exists (idempotent): each stream, each table
 * (PAY_PER_REQUEST), and the customer managed key behind `keyAlias`. An existing stream keeps its
 * shard count, an existing table its key schema.
 */
export async function provisionResources(
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 'kms'>,
  resources: LocalResourceDefinitions,
  defaultShardCount: number,
): Promise<ProvisionedResources> {
  const streams: Record<string, string> = {};
  const tables: Record<string, string> = {};
  await Promise.all([
    ...Object.entries(resources.streams).map(async ([role, spec]) => {
      await guard(`stream ${spec.name}`, () =>
        ensureStream(clients.kinesis, spec.name, spec.shardCount ?? defaultShardCount),
      );
      streams[role] = spec.name;
    }),
    ...Object.entries(resources.tables).map(async ([role, spec]) => {
      await guard(`table ${spec.name}`, () => ensureTable(clients.dynamodb, spec));
      tables[role] = spec.name;
    }),
  ]);
  const keyArn = await guard(`key ${resources.keyAlias}`, () => ensureKey(clients.kms, resources.keyAlias));
  return { streams, tables, keyArn };
}

async function guard<T>(resource: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (cause) {
    throw new ProvisioningError(resource, { cause });
  }
}

const named = (error: unknown, ...names: string[]) =>
  names.includes((error as { name?: string })?.name ?? '');

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MILLIS;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`${what} did not become ACTIVE in ${ACTIVE_TIMEOUT_MILLIS} ms`);
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MILLIS));
  }
}

async function ensureStream(kinesis: KinesisClient, name: string, shardCount: number): Promise<void> {
  const status = async () => {
    const output = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return output.StreamDescriptionSummary?.StreamStatus;
  };
  try {
    await status();
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    } catch (createError) {
      if (!named(createError, 'ResourceInUseException')) throw createError;
    }
  }
  await waitUntil(`stream ${name}`, async () => (await status()) === 'ACTIVE');
}

/**
 * Creates the table unless it exists (PAY_PER_REQUEST) and waits until it is ACTIVE. Idempotent,
 * and safe when two callers race to create it.
 *
 * @example await ensureTable(dynamodb, compositeKey('residency-vault'));
 */
export async function ensureTable(dynamodb: DynamoDBClient, spec: TableSpec): Promise<void> {
  const status = async () =>
    (await dynamodb.send(new DescribeTableCommand({ TableName: spec.name }))).Table?.TableStatus;
  try {
    await status();
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
    const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
    const keySchema: KeySchemaElement[] = keys.map((key, index) => ({
      AttributeName: key.name,
      KeyType: index === 0 ? 'HASH' : 'RANGE',
    }));
    const attributes: AttributeDefinition[] = keys.map((key) => ({
      AttributeName: key.name,
      AttributeType: key.type,
    }));
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: spec.name,
          KeySchema: keySchema,
          AttributeDefinitions: attributes,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (createError) {
      if (!named(createError, 'ResourceInUseException')) throw createError;
    }
  }
  await waitUntil(`table ${spec.name}`, async () => (await status()) === 'ACTIVE');
}

async function ensureKey(kms: KMSClient, alias: string): Promise<string> {
  try {
    const existing = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (existing.KeyMetadata?.Arn) return existing.KeyMetadata.Arn;
  } catch (error) {
    if (!named(error, 'NotFoundException')) throw error;
  }
  const created = await kms.send(
    new CreateKeyCommand({
      Description: 'residency: in-region data key (local)',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
    }),
  );
  const keyId = created.KeyMetadata?.KeyId;
  const arn = created.KeyMetadata?.Arn;
  if (!keyId || !arn) throw new Error('CreateKey returned no key id');
  // The AWS stack rotates the key; the local one does too, so rotation paths run locally.
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId })).catch((error: unknown) => {
    if (!named(error, 'UnsupportedOperationException')) throw error;
  });
  try {
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  } catch (error) {
    // Another `up` won the race: use its key, not ours.
    if (!named(error, 'AlreadyExistsException')) throw error;
    const winner = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    return winner.KeyMetadata?.Arn ?? arn;
  }
  return arn;
}
