import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { assertEndpointInRegion, assertRegion, createAwsClients } from '@residency/aws';
import { TransportError } from '../errors.ts';
import { isRetryableRecordCode, toTransportError } from './classify.ts';
import type { Transport, TransportRecordResult } from './port.ts';

/** Options of {@link createKinesisTransport}. */
export type KinesisTransportOptions =
  | {
      streamName: string;
      /** The data region; the client is created in it. */
      region: string;
      /** Endpoint override: loopback (local emulator) or an AWS endpoint of `region`. Default: the regional endpoint. */
      endpoint?: string;
    }
  | {
      streamName: string;
      /**
       * A Kinesis client of your own (with your middleware, credentials, agent). Its region and
       * endpoint are checked against `dataRegion` before the first call; a mismatch fails every
       * record, never sends one. Give it `maxAttempts: 1`: the producer owns retries.
       */
      client: KinesisClient;
      /** The data region the client must be in. */
      dataRegion: string;
    };

/**
 * The Kinesis adapter of the {@link Transport} port: one PutRecords call per batch, always by
 * `StreamName` (kinesalite refuses calls that carry only `StreamARN`), per-record results in
 * request order, SDK exceptions translated into `TransportError`.
 *
 * @example
 * const transport = createKinesisTransport({ streamName: 'events', region: 'ap-south-1' });
 */
export function createKinesisTransport(options: KinesisTransportOptions): Transport {
  let client: KinesisClient;
  let destroy: (() => void) | undefined;
  let verified: Promise<void> | undefined;
  if ('client' in options) {
    client = options.client;
    verified = verifyClientRegion(client, options.dataRegion);
    // Keep a failed check from being reported as an unhandled rejection before the first call.
    verified.catch(() => undefined);
  } else {
    // The producer owns retries (per record, with backoff and a deadline), so the SDK makes one
    // attempt per call; otherwise a throttled call would be retried by two layers at once. It owns
    // the timeout (`requestTimeoutMillis`, up to 10 min, by aborting the call), so the client's own
    // timeouts are off: they would cut short a 5 MiB upload on a slow link, or a call waiting for
    // one of the 16 sockets.
    const clients = createAwsClients(
      { region: options.region, ...(options.endpoint ? { endpoints: { kinesis: options.endpoint } } : {}) },
      { maxAttempts: 1, maxSockets: 16, requestTimeoutMillis: 0, connectionTimeoutMillis: 0 },
    );
    client = clients.kinesis;
    destroy = () => clients.destroy();
  }
  return {
    async putRecords(records, { signal }) {
      if (verified) {
        // Fail closed, and definitely: nothing was sent to a client outside the data region.
        await verified.catch((error: Error) => {
          throw new TransportError(error.name, false, true, { cause: error });
        });
      }
      try {
        const output = await client.send(
          new PutRecordsCommand({
            StreamName: options.streamName,
            Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
          }),
          { abortSignal: signal },
        );
        const results = output.Records ?? [];
        if (results.length !== records.length) {
          // The service always answers one entry per record; anything else is an unknown outcome.
          throw new TransportError('MalformedResponse', true, false);
        }
        return results.map((r): TransportRecordResult => {
          if (r.ErrorCode) {
            return { ok: false, errorCode: r.ErrorCode, retryable: isRetryableRecordCode(r.ErrorCode) };
          }
          // An entry with neither an error nor a place on the stream proves nothing: not sent.
          if (!r.ShardId || !r.SequenceNumber)
            return { ok: false, errorCode: 'MalformedResponse', retryable: true, mayBeOnStream: true };
          return { ok: true, shardId: r.ShardId, sequenceNumber: r.SequenceNumber };
        });
      } catch (error) {
        throw toTransportError(error);
      }
    },
    destroy() {
      destroy?.();
    },
  };
}

async function verifyClientRegion(client: KinesisClient, dataRegion: string): Promise<void> {
  const region = await client.config.region();
  assertRegion(region, dataRegion, 'Kinesis client');
  const endpoint = await client.config.endpoint?.();
  if (endpoint) {
    const port = endpoint.port ? `:${endpoint.port}` : '';
    assertEndpointInRegion(`${endpoint.protocol}//${endpoint.hostname}${port}`, dataRegion, 'kinesis');
  }
}
