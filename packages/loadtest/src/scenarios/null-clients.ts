import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';

/** Options of {@link createNullKinesisClient}. */
export interface NullKinesisOptions {
  region: string;
  /** Called with the number of records of every accepted put. Default: none. */
  onRecords?: (count: number) => void;
}

const SHARD = 'shardId-000000000000';
const RECORD_MARKER = Buffer.from('"PartitionKey":');

/**
 * A real SDK v3 Kinesis client whose HTTP handler answers PutRecord and PutRecords locally with
 * success, without a network or an emulator. Everything the SDK does per call (middleware,
 * signing, serialization of every record, parsing the response) runs and counts, which is the
 * CPU the hot path pays for its outbox; only the wire and the service are missing. The design
 * notes measured the SDK's per-call cost the same way.
 *
 * @example const outbox = createNullKinesisClient({ region: 'ap-south-1' });
 */
export function createNullKinesisClient(options: NullKinesisOptions): KinesisClient {
  const responses = new Map<number, Buffer>();
  let sequence = 0;
  const respond = (count: number): Buffer => {
    let body = responses.get(count);
    if (!body) {
      const records = Array.from({ length: count }, () => ({
        SequenceNumber: String(++sequence),
        ShardId: SHARD,
      }));
      body = Buffer.from(JSON.stringify({ FailedRecordCount: 0, Records: records }));
      if (responses.size < 64) responses.set(count, body);
    }
    return body;
  };
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: { headers: Record<string, string>; body?: unknown }) {
      const target = request.headers['x-amz-target'] ?? '';
      const body0 = request.body;
      // The SDK hands the JSON body over as bytes (or, in older versions, a string).
      const bytes =
        typeof body0 === 'string'
          ? Buffer.from(body0)
          : body0 instanceof Uint8Array
            ? Buffer.from(body0.buffer, body0.byteOffset, body0.byteLength)
            : Buffer.alloc(0);
      let body: Buffer;
      if (target.endsWith('.PutRecords')) {
        const count = countOccurrences(bytes, RECORD_MARKER);
        options.onRecords?.(count);
        body = respond(count);
      } else if (target.endsWith('.PutRecord')) {
        options.onRecords?.(1);
        body = Buffer.from(JSON.stringify({ SequenceNumber: String(++sequence), ShardId: SHARD }));
      } else {
        body = Buffer.from('{}');
      }
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) },
          body,
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return new KinesisClient({
    region: options.region,
    credentials: { accessKeyId: 'null', secretAccessKey: 'null' },
    endpoint: 'http://127.0.0.1:1',
    requestHandler: handler as unknown as NonNullable<
      ConstructorParameters<typeof KinesisClient>[0]
    >['requestHandler'],
    maxAttempts: 1,
  });
}

function countOccurrences(bytes: Buffer, marker: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + marker.length)) count += 1;
  return count;
}

/**
 * A real SDK v3 DynamoDB client whose HTTP handler answers every call with `{}` locally: what the
 * SDK costs per call on the client side (middleware, signing, marshalling), without a service.
 */
export function createNullDynamoDbClient(region: string): DynamoDBClient {
  const empty = Buffer.from('{}');
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle() {
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': '2' },
          body: empty,
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return new DynamoDBClient({
    region,
    credentials: { accessKeyId: 'null', secretAccessKey: 'null' },
    endpoint: 'http://127.0.0.1:1',
    requestHandler: handler as unknown as NonNullable<
      ConstructorParameters<typeof DynamoDBClient>[0]
    >['requestHandler'],
    maxAttempts: 1,
  });
}
