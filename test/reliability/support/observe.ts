import { aws, type border, controlPlane, core, pipeline, testing } from './deps.ts';

type KinesisClient = aws.AwsClients['kinesis'];
type DocumentClient = ReturnType<typeof testing.documentClientFor>;

/** Everything on the outbox, parsed with the strict outbox schema. */
export interface OutboxContents {
  records: core.OutboundRecord[];
  aggregates: core.AggregateCell[];
  /** Messages in total (records plus aggregates, duplicates included). */
  messages: number;
  /** Records that fail their event type's strict outbound schema (must be empty). */
  notStrict: string[];
}

/** Reads the whole outbox stream: every message of every record (the outbox packs several in a record). */
export async function readOutbox(kinesis: KinesisClient, streamName: string): Promise<OutboxContents> {
  const contents: OutboxContents = { records: [], aggregates: [], messages: 0, notStrict: [] };
  const records = await testing.readStreamRecords(kinesis, streamName);
  for (const data of records.flatMap((record) => core.outboxMessagesOf(record.data))) {
    const message = core.OutboxMessageSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    contents.messages += 1;
    if (message.kind === 'record') {
      contents.records.push(message.record);
      const schema = core.clinicbook.get(message.record.type, message.record.schemaVersion)?.outboundSchema;
      if (!schema?.safeParse(message.record).success) contents.notStrict.push(message.record.recordId);
    } else if (message.kind === 'aggregate') contents.aggregates.push(message.aggregate);
  }
  return contents;
}

/** A quarantined record, opened. */
export interface OpenedQuarantineItem {
  item: pipeline.QuarantineItem;
  payload: Buffer;
}

/** Every quarantine item of the ingest with its payload decrypted (under the item's own context, as the pipeline sealed it). */
export async function readQuarantine(
  documentClient: DocumentClient,
  tableName: string,
  encryptor: pipeline.PayloadEncryptor,
): Promise<OpenedQuarantineItem[]> {
  // The table is shared with the forwarder, whose entries name the outbox stream.
  const items = (
    await testing.scanItems<pipeline.QuarantineItem & { stream?: string }>(documentClient, tableName)
  ).filter((item) => item.stream !== 'outbox');
  return Promise.all(
    items.map(async (item) => ({
      item,
      payload: Buffer.from(
        await encryptor.open(item.payload, {
          shardId: item.shardId,
          sequenceNumber: item.sequenceNumber,
          eventSourceARN: item.eventSourceARN,
        }),
      ),
    })),
  );
}

/** The forwarder's entries in the shared quarantine table: records the border blocked. */
export async function readBorderQuarantine(
  documentClient: DocumentClient,
  tableName: string,
): Promise<border.QuarantineEntry[]> {
  const items = await testing.scanItems<border.QuarantineEntry>(documentClient, tableName);
  return items.filter((item) => item.stream === 'outbox');
}

/** Runs the window closer (through the faults) until no window is open; how many were left. */
export async function closeEveryWindow(
  stack: testing.FaultyLocalStack,
  options: { nowMillis: number; k: number; allowedLatenessSeconds: number },
): Promise<{ remainingOpen: number }> {
  const proxied = stack.proxiedClients();
  const windows = pipeline.createDynamoWindowStore({
    documentClient: testing.documentClientFor(proxied.dynamodb),
    tableName: stack.endpointsFile.tables.aggregates ?? '',
  });
  const closer = pipeline.createWindowCloser({
    windows,
    outbox: pipeline.createKinesisOutbox({
      kinesis: proxied.kinesis,
      streamName: stack.endpointsFile.streams.outbox ?? '',
    }),
    catalog: core.clinicbook,
    logger: pipeline.silentLogger,
    metrics: pipeline.createInMemoryMetrics(),
    clock: { nowMillis: () => options.nowMillis },
    k: options.k,
    allowedLatenessSeconds: options.allowedLatenessSeconds,
  });
  const check = pipeline.createDynamoWindowStore({
    documentClient: testing.documentClientFor(stack.directClients().dynamodb),
    tableName: stack.endpointsFile.tables.aggregates ?? '',
  });
  for (let run = 0; run < 30; run++) {
    // A run that failed half way re-sends identical cells: just run again.
    await closer.run().catch(() => undefined);
    if ((await check.listOpenWindows()).length === 0) return { remainingOpen: 0 };
  }
  return { remainingOpen: (await check.listOpenWindows()).length };
}

/** Every record and cell the local control plane holds, by id (read from its own DynamoDB). */
export async function readControlPlane(endpointsFile: aws.EndpointsFile) {
  const descriptor = controlPlane.readControlPlaneDescriptor(endpointsFile);
  const clients = aws.createAwsClients({
    region: descriptor.region,
    endpoints: { dynamodb: descriptor.dynamodb },
  });
  try {
    const store = controlPlane.createDynamoControlPlaneStore({
      dynamodb: clients.dynamodb,
      tables: descriptor.tables,
    });
    const records = new Map<string, core.OutboundRecord>();
    const aggregates = new Map<string, core.AggregateCell>();
    for await (const row of store.exportAll()) {
      if (row.kind === 'record') records.set(row.record.recordId, row.record);
      else aggregates.set(row.aggregate.cellId, row.aggregate);
    }
    return { records, aggregates };
  } finally {
    clients.destroy();
  }
}
