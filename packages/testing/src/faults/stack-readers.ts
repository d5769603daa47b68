import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type AttributeValue,
  type DynamoDBClient,
  ListTablesCommand,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import type { Haystack } from './leak-scan.ts';

/** One record of a stream, as read back. */
export interface StreamRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
}

/** Every record of every shard of a stream, from the start, in shard order. */
export async function readStreamRecords(kinesis: KinesisClient, streamName: string): Promise<StreamRecord[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out: StreamRecord[] = [];
  for (const shard of shards.Shards ?? []) {
    const shardId = shard.ShardId ?? '';
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      for (const record of records) {
        out.push({
          shardId,
          sequenceNumber: record.SequenceNumber ?? '',
          partitionKey: record.PartitionKey ?? '',
          data: record.Data ?? new Uint8Array(),
        });
      }
      if (records.length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Names of every stream. */
export async function listStreamNames(kinesis: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  for (;;) {
    const page = await kinesis.send(new ListStreamsCommand(start ? { ExclusiveStartStreamName: start } : {}));
    names.push(...(page.StreamNames ?? []));
    if (!page.HasMoreStreams || !page.StreamNames?.length) return names;
    start = page.StreamNames[page.StreamNames.length - 1];
  }
}

/** Names of every table. */
export async function listTableNames(dynamodb: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand(start ? { ExclusiveStartTableName: start } : {}));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

/** Every item of a table, in DynamoDB's own form (binary attributes stay bytes). */
export async function scanTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName, ConsistentRead: true }))
    items.push(...(page.Items ?? []));
  return items;
}

/** Every file under a directory as a haystack named by its relative path; `exclude` skips some. */
export async function readFilesUnder(
  directory: string,
  exclude: (relativePath: string) => boolean = () => false,
): Promise<Haystack[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const out: Haystack[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(directory, path);
    if (exclude(name)) continue;
    // A file may vanish between the listing and the read (LevelDB compaction): skip it.
    const content = await readFile(path).catch(() => undefined);
    if (content) out.push({ name: `file ${name}`, content });
  }
  return out;
}

/** What {@link captureOutput} returns. */
export interface OutputCapture {
  /** Everything written so far. */
  text(): string;
  /** Stops capturing; output goes to the terminal again. */
  restore(): void;
}

/**
 * Captures everything this process writes to stdout and stderr (Powertools loggers and EMF
 * metrics write there directly), without echoing it. Restore it in `afterAll`.
 */
export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    restore() {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    },
  };
}
