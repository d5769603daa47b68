import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAwsClients } from '@residency/aws';
import { createBatchVerifier } from '@residency/border';
import { type Clock, systemClock } from '@residency/core';
import { type RunningEmulator, startDynalite } from '@residency/local';
import {
  DEFAULT_CONTROL_REGION,
  DEFAULT_HEADERS_TIMEOUT_MILLIS,
  DEFAULT_MAX_SKEW_MILLIS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
} from '../config/defaults.ts';
import type { ControlPlaneDescriptor } from '../config/descriptor.ts';
import { type ControlPlaneLogger, silentControlPlaneLogger } from '../ingest/alerts.ts';
import { createControlPlane } from '../ingest/create-control-plane.ts';
import { ensureControlPlaneTables } from '../local/ensure-tables.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { createDynamoControlPlaneStore } from '../store/dynamo-store.ts';
import { type ControlPlaneTables, DEFAULT_CONTROL_PLANE_TABLES } from '../store/tables.ts';
import { nodeListener } from './node-adapter.ts';
import { createRouter } from './router.ts';

/** Options of {@link startControlPlaneServer}. */
export interface ControlPlaneServerOptions {
  /** Ed25519 public keys (SPKI PEM) by key id: the only keys whose batches are accepted. */
  publicKeys: Readonly<Record<string, string>>;
  /** Key ids that are no longer accepted. Default: none. */
  retiredKeyIds?: readonly string[];
  /** Port on `host`; 0 picks a free one. Default: 0. */
  port?: number;
  /** Interface to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** The control region (written into its tables' ARNs). Default: `eu-central-1`. */
  region?: string;
  /** Use this DynamoDB endpoint (an existing second dynalite). Default: start a dynalite of our own. */
  dynamodbEndpoint?: string;
  /** Where our own dynalite keeps its data (`<dataDir>/control-plane/dynamodb`). Default: in memory. */
  dataDir?: string;
  /** Table names. Default: {@link DEFAULT_CONTROL_PLANE_TABLES}. */
  tables?: ControlPlaneTables;
  /** Freshness window in millis. Default: 300000. */
  maxSkewMillis?: number;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: discards logs. */
  logger?: ControlPlaneLogger;
  /** Canary detector; see `ControlPlaneOptions.alertOnText`. Default: none. */
  alertOnText?: (text: string) => string | undefined;
  /** A client that has not sent a request's headers within this gets 408 and is cut off. Default: 10000. */
  headersTimeoutMillis?: number;
  /** A client that has not sent a whole request (body included) within this gets 408 and is cut off. Default: 30000. */
  requestTimeoutMillis?: number;
}

/** A control plane running on loopback. */
export interface RunningControlPlane {
  /** Origin of the server, e.g. `http://127.0.0.1:43123`: the forwarder's `CONTROL_PLANE_ORIGIN`. */
  url: string;
  port: number;
  region: string;
  /** The DynamoDB endpoint holding its tables. */
  dynamodbEndpoint: string;
  tables: ControlPlaneTables;
  /** What `endpoints.json` should carry under `extra.controlPlane`. */
  descriptor: ControlPlaneDescriptor;
  store: ControlPlaneStore;
  /** Stops the server, and the dynalite if it started one. */
  close(): Promise<void>;
}

/**
 * Starts the control plane locally: its own DynamoDB (a second dynalite in the control region,
 * physically separate from the data plane's, unless `dynamodbEndpoint` is given), the ingest at
 * POST /ingest, the query API under /api/ and the dashboard at /.
 *
 * @example
 * const cp = await startControlPlaneServer({ publicKeys: { [keyId]: publicKeyPem }, dataDir });
 * endpoints.endpoints.controlPlane = cp.url; endpoints.extra = { controlPlane: cp.descriptor };
 */
export async function startControlPlaneServer(
  options: ControlPlaneServerOptions,
): Promise<RunningControlPlane> {
  const region = options.region ?? DEFAULT_CONTROL_REGION;
  const tables = options.tables ?? DEFAULT_CONTROL_PLANE_TABLES;
  const logger = options.logger ?? silentControlPlaneLogger;
  const clock = options.clock ?? systemClock;
  let dynalite: RunningEmulator | undefined;
  if (!options.dynamodbEndpoint) {
    dynalite = await startDynalite({
      region,
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'control-plane') } : {}),
    });
  }
  const dynamodbEndpoint = options.dynamodbEndpoint ?? dynalite!.url;
  const clients = createAwsClients({ region, endpoints: { dynamodb: dynamodbEndpoint } });
  try {
    await ensureControlPlaneTables(clients.dynamodb, tables);
  } catch (error) {
    clients.destroy();
    await dynalite?.close();
    throw error;
  }
  const store = createDynamoControlPlaneStore({ dynamodb: clients.dynamodb, tables });
  const verifier = createBatchVerifier({
    keys: options.publicKeys,
    maxSkewMillis: options.maxSkewMillis ?? DEFAULT_MAX_SKEW_MILLIS,
    now: () => clock.nowMillis(),
    retiredKeyIds: options.retiredKeyIds ?? [],
  });
  const controlPlane = createControlPlane({
    store,
    verifier,
    clock,
    logger,
    ...(options.alertOnText ? { alertOnText: options.alertOnText } : {}),
  });
  const listener = nodeListener(createRouter({ controlPlane, store }), (error) =>
    logger.error('request failed', { error: error instanceof Error ? error.name : 'unknown' }),
  );
  // Node's own limits are 60 s for the headers and 300 s for a request, checked every 30 s: a
  // client trickling bytes held a connection (and a body buffer) for minutes. These are the
  // deployed ingest's bounds instead, checked often enough to be kept.
  const requestTimeout = options.requestTimeoutMillis ?? DEFAULT_REQUEST_TIMEOUT_MILLIS;
  const headersTimeout = Math.min(
    options.headersTimeoutMillis ?? DEFAULT_HEADERS_TIMEOUT_MILLIS,
    requestTimeout,
  );
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
    },
    listener,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    port: address.port,
    region,
    dynamodbEndpoint,
    tables,
    descriptor: { url, region, dynamodb: dynamodbEndpoint, tables },
    store,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      // Batches being stored finish first (their answers are lost with the connections; the
      // forwarder retries and dedupe makes that safe), so a stop never leaves totals half-moved.
      await listener.idle();
      clients.destroy();
      await dynalite?.close();
    },
  };
}
