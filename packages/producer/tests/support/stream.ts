import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';

/** A record read back from the stream, with the event it carries. */
export interface ReadRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  event: { eventId: string; patientId?: string; type: string } & Record<string, unknown>;
}

let streams = 0;

/** Creates a stream with a unique name (tests run in parallel) and waits until it is ACTIVE. */
export async function createStream(
  client: KinesisClient,
  shardCount: number,
  prefix = 'producer',
): Promise<string> {
  const name = `${prefix}-${process.pid}-${++streams}-${Date.now().toString(36)}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  for (;;) {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: name }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Options of {@link readStream}. */
export interface ReadOptions {
  /** Stop once this many records were read. */
  expected: number;
  /** Records per GetRecords call (a slow consumer reads little at a time). Default: 10000. */
  limitPerCall?: number;
  /** Pause after each GetRecords call, in milliseconds. Default: 0. */
  pauseMillis?: number;
  /** Give up after this long, in milliseconds. Default: 60000. */
  timeoutMillis?: number;
}

/**
 * Reads every shard from TRIM_HORIZON, in sequence order per shard, until `expected` records
 * arrived and every shard is caught up (or the timeout passes). Reading can start before
 * writing ends: the slow consumer.
 */
export async function readStream(
  client: KinesisClient,
  streamName: string,
  options: ReadOptions,
): Promise<ReadRecord[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const iterators = new Map<string, string | undefined>();
  for (const shard of Shards) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    iterators.set(shard.ShardId ?? '', ShardIterator);
  }
  const records: ReadRecord[] = [];
  const deadline = Date.now() + (options.timeoutMillis ?? 60_000);
  const decoder = new TextDecoder();
  for (;;) {
    let emptyShards = 0;
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const out = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: options.limitPerCall ?? 10_000 }),
      );
      iterators.set(shardId, out.NextShardIterator);
      if ((out.Records ?? []).length === 0) emptyShards++;
      for (const r of out.Records ?? []) {
        records.push({
          shardId,
          sequenceNumber: r.SequenceNumber ?? '',
          partitionKey: r.PartitionKey ?? '',
          event: JSON.parse(decoder.decode(r.Data)),
        });
      }
      if (options.pauseMillis) await new Promise((resolve) => setTimeout(resolve, options.pauseMillis));
    }
    if (records.length >= options.expected && emptyShards === iterators.size) return records;
    if (Date.now() > deadline) return records;
    if (emptyShards === iterators.size) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Per partition key, the eventIds in stream order. Kinesis orders a shard by sequence number
 * and a key lives on one shard, so this is the order a consumer sees.
 */
export function streamOrderByKey(records: readonly ReadRecord[]): Map<string, string[]> {
  const byShard = new Map<string, ReadRecord[]>();
  for (const r of records) {
    const shard = byShard.get(r.shardId) ?? [];
    shard.push(r);
    byShard.set(r.shardId, shard);
  }
  const order = new Map<string, string[]>();
  for (const shard of byShard.values()) {
    shard.sort((a, b) => (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1));
    for (const r of shard) {
      const list = order.get(r.partitionKey) ?? [];
      list.push(r.event.eventId);
      order.set(r.partitionKey, list);
    }
  }
  return order;
}
