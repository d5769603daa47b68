import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyArn } from './arn.ts';
import { createCallCounts } from './call-counts.ts';
import type { OperationContext } from './context.ts';
import { KmsApiError } from './errors.ts';
import { isJson11, JSON_11, readBody, sendError, sendJson } from './http.ts';
import { openKeystore } from './keystore.ts';
import { OPERATIONS } from './operations/index.ts';
import { type KmsServerOptions, resolveOptions } from './options.ts';
import { checkCredentialScope } from './region.ts';

/** A running kms-local endpoint. */
export interface KmsServer {
  /** Base URL to pass as `endpoint` to KMSClient or `--endpoint-url` to the AWS CLI. */
  readonly url: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** The region it serves; requests signed for another region are refused. */
  readonly region: string;
  /** The account in its key ARNs. */
  readonly accountId: string;
  /** The full ARN of one of its keys. */
  keyArn(keyId: string): string;
  /** Requests received so far by operation, e.g. `{ 'KMS.GenerateDataKey': 1 }`. */
  callCounts(): Record<string, number>;
  /** Sets the call counts back to zero. */
  resetCallCounts(): void;
  /** Stops listening, closes open connections, waits for pending writes, zeroes the master key. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';

/**
 * Starts a KMS-compatible endpoint (AWS JSON 1.1, `X-Amz-Target: TrentService.<Op>`) on
 * loopback, with keys persisted under `dataDir/kms`. Resolves once it is listening.
 *
 * @example
 * const kms = await createKmsServer({ region: 'ap-south-1', dataDir: '.residency' });
 * const client = new KMSClient({ region: kms.region, endpoint: kms.url, credentials });
 * // ...
 * await kms.close();
 */
export async function createKmsServer(options: KmsServerOptions): Promise<KmsServer> {
  const config = resolveOptions(options);
  const store = await openKeystore(config);
  const ctx: OperationContext = {
    store,
    region: config.region,
    accountId: config.accountId,
    clock: config.clock,
  };
  const counts = createCallCounts();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
        throw new KmsApiError(
          'UnknownOperationException',
          `${req.method} ${req.url} is not a KMS request`,
          404,
        );
      }
      // AWS routes by Content-Type before X-Amz-Target: a JSON 1.1 target sent as anything else
      // (application/json, JSON 1.0, form-encoded, none) is not a KMS operation there either.
      if (!isJson11(req.headers['content-type'])) {
        throw new KmsApiError(
          'UnknownOperationException',
          `Content-Type must be ${JSON_11} for TrentService operations`,
        );
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!operation) throw new KmsApiError('UnknownOperationException', `Unknown operation ${target}`);
      counts.add(name);
      checkCredentialScope(req.headers.authorization, config.region);
      const body = parseBody(await readBody(req));
      if (body.DryRun === true || body.Recipient !== undefined) {
        throw new KmsApiError(
          'UnsupportedOperationException',
          'DryRun and Recipient are not supported by kms-local',
        );
      }
      sendJson(res, 200, await operation(body, ctx));
    } catch (error) {
      if (error instanceof KmsApiError) return sendError(res, error);
      config.onInternalError(error);
      sendError(res, new KmsApiError('KMSInternalException', 'Internal error in kms-local'));
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    region: config.region,
    accountId: config.accountId,
    keyArn: (keyId) => keyArn(config.region, config.accountId, keyId),
    callCounts: () => counts.snapshot(),
    resetCallCounts: () => counts.reset(),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
    },
  };
}

function parseBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new KmsApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new KmsApiError('SerializationException', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
