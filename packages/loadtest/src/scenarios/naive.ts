import { createCipheriv, randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import {
  clinicbook,
  formatToken,
  keyedMac,
  keyedTokenUnder,
  recordIdUnder,
  type Token,
  tokenKey,
  toOutbound,
  type ValidateOptions,
  validateEvent,
} from '@residency/core';
import type { KinesisStreamRecord } from 'aws-lambda';
import { createMeasuredClients, type MeasuredClients, type OutboxChoice } from '../environment/clients.ts';
import type { LoadtestTarget } from '../environment/target.ts';
import type { Progress } from '../progress.ts';
import { toKinesisEvents } from '../workload/kinesis-batches.ts';
import { type Invoke, measurePass } from './measure-pass.ts';
import type { ThroughputResult } from './results.ts';

/** Options of {@link createNaiveHandler}. */
export interface NaiveHandlerOptions {
  clients: MeasuredClients;
  /** The naive vault table (key `pk` S). */
  tableName: string;
  keyArn: string;
  outboxStream: string;
  countryOf?: ValidateOptions['countryOf'];
}

/**
 * The design a team writes first, as the baseline: records one by one; per identifier a
 * strongly consistent GetItem on the vault table, and when it is missing a KMS GenerateDataKey,
 * an AES-GCM encryption and a conditional PutItem (re-read on a lost race); a PutItem per
 * contact link; then a PutRecord per record to the outbox. Same validation and mapping as ours
 * (the core's), and keyed identifiers keyed here too (an HMAC, no vault item), so the difference
 * is the I/O pattern alone. No aggregates (which flatters it).
 *
 * @example const invoke = createNaiveHandler({ clients, tableName, keyArn, outboxStream });
 */
export function createNaiveHandler(options: NaiveHandlerOptions): Invoke {
  const { dynamodb, kms } = options.clients.aws;
  const outbox = options.clients.outbox;
  const validateOptions: ValidateOptions = options.countryOf ? { countryOf: options.countryOf } : {};
  // A naive team still keys its table by a keyed hash (not the plain identifier); one static key.
  const indexKey = randomBytes(32);
  const TableName = options.tableName;

  const read = async (pk: string): Promise<Token | undefined> => {
    const got = await dynamodb.send(
      new GetItemCommand({ TableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    return got.Item?.token?.S as Token | undefined;
  };

  const create = async (kind: string, value: string, pk: string): Promise<Token> => {
    const dataKey = await kms.send(
      new GenerateDataKeyCommand({
        KeyId: options.keyArn,
        KeySpec: 'AES_256',
        EncryptionContext: { vault: TableName, kind, pk },
      }),
    );
    const plaintextKey = Buffer.from(dataKey.Plaintext ?? new Uint8Array(32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', plaintextKey, iv);
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    plaintextKey.fill(0);
    dataKey.Plaintext?.fill(0);
    const token = formatToken(kind, randomBytes(16));
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName,
          Item: {
            pk: { S: pk },
            token: { S: token },
            wrappedKey: { B: dataKey.CiphertextBlob ?? new Uint8Array() },
            iv: { B: iv },
            value: { B: Buffer.concat([ciphertext, tag]) },
            createdAt: { N: String(Date.now()) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return token;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      const winner = await read(pk);
      if (!winner) throw error;
      return winner;
    }
  };

  const processRecord = async (record: KinesisStreamRecord): Promise<boolean> => {
    const input: unknown = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    const result = validateEvent(clinicbook, input, validateOptions);
    if (!result.ok) return false;
    const event = result.event;
    const tokens = new Map<string, Token>();
    for (const id of event.identifiers) {
      const key = tokenKey(id.kind, id.value);
      if (tokens.has(key)) continue;
      if (id.keyed) {
        // The catalog's keyed kinds have no vault entry here either: only the I/O pattern differs.
        tokens.set(key, keyedTokenUnder(indexKey, id.kind, id.value));
        continue;
      }
      const pk = `${id.kind}#${keyedMac(indexKey, id.kind, id.value).toString('hex')}`;
      tokens.set(key, (await read(pk)) ?? (await create(id.kind, id.value, pk)));
    }
    const subject = event.identifiers.find((id) => id.subject);
    const subjectToken = subject ? tokens.get(tokenKey(subject.kind, subject.value)) : undefined;
    for (const id of event.identifiers) {
      if (id.egress !== 'link' || !subjectToken) continue;
      const contactToken = tokens.get(tokenKey(id.kind, id.value));
      await dynamodb.send(
        new PutItemCommand({
          TableName,
          Item: { pk: { S: `link#${contactToken}#${subjectToken}` }, createdAt: { N: String(Date.now()) } },
        }),
      );
    }
    const recordId = recordIdUnder(indexKey, event.data.eventId as string);
    const outbound = toOutbound(event, tokens, recordId);
    await outbox.send(
      new PutRecordCommand({
        StreamName: options.outboxStream,
        PartitionKey: outbound.subject ?? outbound.tenantId,
        Data: Buffer.from(JSON.stringify(outbound)),
      }),
    );
    return true;
  };

  return async (event) => {
    let invalid = 0;
    for (const record of event.Records) {
      if (!(await processRecord(record))) invalid += 1;
    }
    return { invalid, failed: 0 };
  };
}

/** Options of {@link runNaive}. */
export interface NaiveRunOptions {
  target: LoadtestTarget;
  /** The events (the first of the hot path's). */
  events: readonly object[];
  batchSize: number;
  outbox: OutboxChoice;
  /** Report the cold pass (it always runs: it fills the naive table for the warm one). */
  measureCold: boolean;
  countryOf?: ValidateOptions['countryOf'];
  progress: Progress;
}

/**
 * The naive scenario: a cold pass on a fresh naive table (every identifier new), then a warm
 * pass on the same events with new sequence numbers (every identifier found, still one read each).
 */
export async function runNaive(
  options: NaiveRunOptions,
): Promise<{ warm: ThroughputResult; cold: ThroughputResult | null }> {
  const { target, events, batchSize, outbox, measureCold, progress } = options;
  const clients = createMeasuredClients(target, outbox);
  try {
    const invoke = createNaiveHandler({
      clients,
      tableName: target.tables.naiveVault,
      keyArn: target.keyArn,
      outboxStream: target.streams.outbox,
      ...(options.countryOf ? { countryOf: options.countryOf } : {}),
    });
    const batches = (first: bigint) =>
      [
        ...toKinesisEvents(events, {
          batchSize,
          region: target.region,
          accountId: target.accountId,
          streamName: target.streams.events,
          firstSequenceNumber: first,
        }),
      ].map((s) => s.event);
    const notes = [`outbox: ${clients.outboxMode}`];
    const coldPass = await measurePass({
      name: 'naive cold',
      batches: batches(1n),
      invoke,
      clients,
      progress,
      notes,
    });
    const warm = await measurePass({
      name: 'naive warm',
      batches: batches(BigInt(events.length) + 1n),
      invoke,
      clients,
      progress,
      notes,
    });
    return { warm, cold: measureCold ? coldPass : null };
  } finally {
    clients.destroy();
  }
}
